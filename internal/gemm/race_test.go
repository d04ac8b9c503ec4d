//go:build race

package gemm

// raceEnabled is set when testing with -race, where sync.Pool drops items
// at random.
const raceEnabled = true

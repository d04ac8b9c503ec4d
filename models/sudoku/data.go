package main

import "math/rand/v2"

// Board is a 4×4 sudoku: digits 0..3 for filled cells, -1 for blanks.
type Board [16]int8

// valid reports whether digit d can go at cell i of b.
func (b *Board) valid(i int, d int8) bool {
	r, c := i/4, i%4
	br, bc := r/2*2, c/2*2
	for k := 0; k < 4; k++ {
		if b[r*4+k] == d || b[k*4+c] == d {
			return false
		}
		if b[(br+k/2)*4+bc+k%2] == d {
			return false
		}
	}
	return true
}

// fill completes b with digits tried in a random order (a random valid
// solution), reporting success.
func (b *Board) fill(rng *rand.Rand) bool {
	i := -1
	for j, v := range b {
		if v < 0 {
			i = j
			break
		}
	}
	if i < 0 {
		return true
	}
	for _, d := range rng.Perm(4) {
		if b.valid(i, int8(d)) {
			b[i] = int8(d)
			if b.fill(rng) {
				return true
			}
			b[i] = -1
		}
	}
	return false
}

// countSolutions counts completions of b, stopping at limit.
func (b *Board) countSolutions(limit int) int {
	i := -1
	for j, v := range b {
		if v < 0 {
			i = j
			break
		}
	}
	if i < 0 {
		return 1
	}
	n := 0
	for d := int8(0); d < 4 && n < limit; d++ {
		if b.valid(i, d) {
			b[i] = d
			n += b.countSolutions(limit - n)
			b[i] = -1
		}
	}
	return n
}

// Example is a puzzle and its unique solution.
type Example struct{ Puzzle, Solution Board }

// Generate draws n puzzles: a random full board, then cells blanked in
// random order as long as the solution stays unique.
func Generate(n int, seed uint64) []Example {
	rng := rand.New(rand.NewPCG(seed, 0x50d0c0))
	out := make([]Example, n)
	for k := range out {
		var sol Board
		for i := range sol {
			sol[i] = -1
		}
		sol.fill(rng)
		puz := sol
		for _, i := range rng.Perm(16) {
			keep := puz[i]
			puz[i] = -1
			if puz.countSolutions(2) != 1 {
				puz[i] = keep
			}
		}
		out[k] = Example{Puzzle: puz, Solution: sol}
	}
	return out
}

// OneHot encodes a board as 64 values, index 16·row + 4·column + digit;
// a blank cell is all zeros.
func OneHot(b Board) []float32 {
	v := make([]float32, 64)
	for i, d := range b {
		if d >= 0 {
			v[i*4+int(d)] = 1
		}
	}
	return v
}

// Decode takes the argmax digit of every cell of 64 scores.
func Decode(scores []float32) Board {
	var b Board
	for i := 0; i < 16; i++ {
		best := 0
		for d := 1; d < 4; d++ {
			if scores[i*4+d] > scores[i*4+best] {
				best = d
			}
		}
		b[i] = int8(best)
	}
	return b
}

package std

import "github.com/optnet-go/optnet/runtime"

// RandomUniform (opset 1): a tensor of the `shape` attribute filled with
// samples uniform in [low, high), of dtype `dtype` (default float32), from
// the run's random source (the seed attribute is not used). The kernel
// lives in randomnormal.go.

func init() {
	register(&runtime.Op{Type: "RandomUniform", Since: 1, Inputs: [2]int{0, 0}, Outputs: [2]int{1, 1}, Stateful: true, Build: buildRandom("RandomUniform", false, false)})
}

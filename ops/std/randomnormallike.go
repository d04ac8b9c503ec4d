package std

import "github.com/optnet-go/optnet/runtime"

// RandomNormalLike (opset 1): normal samples (mean, scale) with the shape
// of the input and the dtype attribute (default: the input's, which must
// then be a float type), from the run's random source (the seed attribute
// is not used). The kernel lives in randomnormal.go.

func init() {
	register(&runtime.Op{Type: "RandomNormalLike", Since: 1, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1}, Stateful: true, Build: buildRandom("RandomNormalLike", true, true)})
}

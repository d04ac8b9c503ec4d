package std

import (
	"math"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// GlobalMaxPool: the maximum over all spatial positions of each (N, C)
// plane; the output keeps the spatial dims as 1 (opset 1).

func init() {
	register(&runtime.Op{Type: "GlobalMaxPool", Since: 1, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1}, Build: fixed(globalMaxPoolKernel{})})
}

type globalMaxPoolKernel struct{}

func (globalMaxPoolKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	return poolGlobalRun("GlobalMaxPool", in[0], nnMaxOf[float32], nnMaxOf[float64])
}

// nnMaxOf is the largest value (NaN if any is NaN; -Inf for no values).
func nnMaxOf[T tensor.Float](v []T) T {
	m := T(math.Inf(-1))
	for _, x := range v {
		if x > m || x != x {
			m = x
			if x != x {
				break
			}
		}
	}
	return m
}

// InferShapes: (N, C, 1, …, 1).
func (globalMaxPoolKernel) InferShapes(in []runtime.Fact) ([]runtime.Fact, error) {
	return poolGlobalFacts(in)
}

package std

import (
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// ReduceL2: the L2 norm (square root of the sum of squares) over the given axes (all by default), keeping them as
// size-1 dims when keepdims. Opset 1–17 take the axes as an attribute
// (negative axes from 11; later versions only added dtypes); opset 18
// moves them to an optional second input and adds noop_with_empty_axes
// (empty axes then reduce over no axes at all).

func init() {
	register(reduceRegs("ReduceL2", redL2, 18, func(k *reduceKernel) runtime.Kernel { return &reduceL2Kernel{k} })...)
}

type reduceL2Kernel struct{ *reduceKernel }

// Backward: dy/dx = x / y (taken as 0 where y = 0, a subgradient).
func (k *reduceL2Kernel) Backward(rc *runtime.RunContext, f *runtime.Forward, g []*tensor.Tensor) ([]*tensor.Tensor, error) {
	return reduceGrad(k.reduceKernel, f, g,
		func(x, y, g float32) float32 {
			if y == 0 {
				return 0
			}
			return x / y * g
		},
		func(x, y, g float64) float64 {
			if y == 0 {
				return 0
			}
			return x / y * g
		})
}

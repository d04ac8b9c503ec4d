package std

import (
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// ReduceSumSquare: the sum of squares over the given axes (all by default), keeping them as
// size-1 dims when keepdims. Opset 1–17 take the axes as an attribute
// (negative axes from 11; later versions only added dtypes); opset 18
// moves them to an optional second input and adds noop_with_empty_axes
// (empty axes then reduce over no axes at all).

func init() {
	register(reduceRegs("ReduceSumSquare", redSumSquare, 18, func(k *reduceKernel) runtime.Kernel { return &reduceSumSquareKernel{k} })...)
}

type reduceSumSquareKernel struct{ *reduceKernel }

// Backward: dy/dx = 2x.
func (k *reduceSumSquareKernel) Backward(rc *runtime.RunContext, f *runtime.Forward, g []*tensor.Tensor) ([]*tensor.Tensor, error) {
	return reduceGrad(k.reduceKernel, f, g,
		func(x, y, g float32) float32 { return 2 * x * g },
		func(x, y, g float64) float64 { return 2 * x * g })
}

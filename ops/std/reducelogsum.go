package std

import (
	"math"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// ReduceLogSum: the log of the sum over the given axes (all by default), keeping them as
// size-1 dims when keepdims. Opset 1–17 take the axes as an attribute
// (negative axes from 11; later versions only added dtypes); opset 18
// moves them to an optional second input and adds noop_with_empty_axes
// (empty axes then reduce over no axes at all).

func init() {
	register(reduceRegs("ReduceLogSum", redLogSum, 18, func(k *reduceKernel) runtime.Kernel { return &reduceLogSumKernel{k} })...)
}

type reduceLogSumKernel struct{ *reduceKernel }

// Backward: y = log Σx, so dy/dx = 1/Σx = exp(-y).
func (k *reduceLogSumKernel) Backward(rc *runtime.RunContext, f *runtime.Forward, g []*tensor.Tensor) ([]*tensor.Tensor, error) {
	return reduceGrad(k.reduceKernel, f, g,
		func(x, y, g float32) float32 { return g * float32(math.Exp(-float64(y))) },
		func(x, y, g float64) float64 { return g * math.Exp(-y) })
}

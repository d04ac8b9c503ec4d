package std

import (
	"math"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// ReduceLogSumExp: the log of the sum of exponentials (computed stably) over the given axes (all by default), keeping them as
// size-1 dims when keepdims. Opset 1–17 take the axes as an attribute
// (negative axes from 11; later versions only added dtypes); opset 18
// moves them to an optional second input and adds noop_with_empty_axes
// (empty axes then reduce over no axes at all).

func init() {
	register(reduceRegs("ReduceLogSumExp", redLogSumExp, 18, func(k *reduceKernel) runtime.Kernel { return &reduceLogSumExpKernel{k} })...)
}

type reduceLogSumExpKernel struct{ *reduceKernel }

// Backward: dy/dx = exp(x - y), the softmax over the reduced elements.
func (k *reduceLogSumExpKernel) Backward(rc *runtime.RunContext, f *runtime.Forward, g []*tensor.Tensor) ([]*tensor.Tensor, error) {
	return reduceGrad(k.reduceKernel, f, g,
		func(x, y, g float32) float32 { return g * float32(math.Exp(float64(x-y))) },
		func(x, y, g float64) float64 { return g * math.Exp(x-y) })
}

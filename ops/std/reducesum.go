package std

import (
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// ReduceSum: sum over the given axes (all by default), keeping them as
// size-1 dims when keepdims. Opset 1–12 take the axes as an attribute;
// opset 13 moves them to an optional second input and adds
// noop_with_empty_axes (empty axes then reduce nothing).

func init() {
	register(reduceRegs("ReduceSum", redSum, 13, func(k *reduceKernel) runtime.Kernel { return &reduceSumKernel{k} })...)
}

type reduceSumKernel struct{ *reduceKernel }

// Backward broadcasts the output gradient back over the reduced axes.
func (k *reduceSumKernel) Backward(rc *runtime.RunContext, f *runtime.Forward, g []*tensor.Tensor) ([]*tensor.Tensor, error) {
	return reduceGrad(k.reduceKernel, f, g,
		func(x, y, g float32) float32 { return g },
		func(x, y, g float64) float64 { return g })
}

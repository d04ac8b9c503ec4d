package std

import (
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// ReduceMean: the mean over the given axes (all by default), keeping them as
// size-1 dims when keepdims. Opset 1–17 take the axes as an attribute
// (negative axes from 11; later versions only added dtypes); opset 18
// moves them to an optional second input and adds noop_with_empty_axes
// (empty axes then reduce over no axes at all).

func init() {
	register(reduceRegs("ReduceMean", redMean, 18, func(k *reduceKernel) runtime.Kernel { return &reduceMeanKernel{k} })...)
}

type reduceMeanKernel struct{ *reduceKernel }

// Backward spreads the output gradient evenly over the reduced elements.
func (k *reduceMeanKernel) Backward(rc *runtime.RunContext, f *runtime.Forward, g []*tensor.Tensor) ([]*tensor.Tensor, error) {
	l, err := k.layout(f.Inputs)
	if err != nil {
		return nil, err
	}
	n := float64(l.count)
	return reduceGrad(k.reduceKernel, f, g,
		func(x, y, g float32) float32 { return g / float32(n) },
		func(x, y, g float64) float64 { return g / n })
}

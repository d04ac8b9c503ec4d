package std

import (
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// ReduceL1: the L1 norm (sum of absolute values) over the given axes (all by default), keeping them as
// size-1 dims when keepdims. Opset 1–17 take the axes as an attribute
// (negative axes from 11; later versions only added dtypes); opset 18
// moves them to an optional second input and adds noop_with_empty_axes
// (empty axes then reduce over no axes at all).

func init() {
	register(reduceRegs("ReduceL1", redL1, 18, func(k *reduceKernel) runtime.Kernel { return &reduceL1Kernel{k} })...)
}

type reduceL1Kernel struct{ *reduceKernel }

// Backward: d|x|/dx = sign(x) (0 at 0).
func (k *reduceL1Kernel) Backward(rc *runtime.RunContext, f *runtime.Forward, g []*tensor.Tensor) ([]*tensor.Tensor, error) {
	return reduceGrad(k.reduceKernel, f, g,
		func(x, y, g float32) float32 { return l1Sign(x) * g },
		func(x, y, g float64) float64 { return l1Sign(x) * g })
}

func l1Sign[T tensor.Float](x T) T {
	switch {
	case x > 0:
		return 1
	case x < 0:
		return -1
	}
	return 0
}

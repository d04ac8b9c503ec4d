package std

import (
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// ReduceMax: the maximum over the given axes (all by default), keeping them as
// size-1 dims when keepdims. Opset 1–17 take the axes as an attribute
// (negative axes from 11; later versions only added dtypes); opset 18
// moves them to an optional second input and adds noop_with_empty_axes
// (empty axes then reduce over no axes at all).

func init() {
	register(reduceRegs("ReduceMax", redMax, 18, func(k *reduceKernel) runtime.Kernel { return &reduceMaxKernel{k} })...)
}

type reduceMaxKernel struct{ *reduceKernel }

// Backward routes each output's gradient to the input element that was
// selected as the maximum. Tie rule: when several elements equal the maximum,
// the first in row-major order gets the whole gradient and the others get
// none (as ArgMax/ArgMin pick the first index).
func (k *reduceMaxKernel) Backward(rc *runtime.RunContext, f *runtime.Forward, g []*tensor.Tensor) ([]*tensor.Tensor, error) {
	grads := make([]*tensor.Tensor, len(f.Inputs))
	if !f.NeedGrad[0] || g[0] == nil {
		return grads, nil
	}
	l, err := k.layout(f.Inputs)
	if err != nil {
		return nil, err
	}
	grads[0], err = reduceSelectGrad(f.Inputs[0], f.Outputs[0], g[0], l)
	return grads, err
}

package std

import (
	"github.com/optnet-go/optnet/runtime"
)

// ReduceProd: the product over the given axes (all by default), keeping them as
// size-1 dims when keepdims. Opset 1–17 take the axes as an attribute
// (negative axes from 11; later versions only added dtypes); opset 18
// moves them to an optional second input and adds noop_with_empty_axes
// (empty axes then reduce over no axes at all).

func init() {
	register(reduceRegs("ReduceProd", redProd, 18, func(k *reduceKernel) runtime.Kernel { return &reduceProdKernel{k} })...)
}

type reduceProdKernel struct{ *reduceKernel }

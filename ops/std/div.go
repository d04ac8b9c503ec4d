package std

import (
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// Div: elementwise a / b with NumPy broadcasting (opset 7+; opsets 1–6
// also accept the legacy broadcast/axis attributes; 13 added bfloat16, 14
// the 8- and 16-bit integers). Integer division truncates toward zero and
// a zero integer divisor is an error; float division follows IEEE 754.

var divRows = rowsFor(divRow[float32], divRow[float64],
	divRow[int8], divRow[int16], divRow[int32], divRow[int64],
	divRow[uint8], divRow[uint16], divRow[uint32], divRow[uint64])

func init() {
	register(&runtime.Op{Type: "Div", Since: 1, Inputs: [2]int{2, 2}, Outputs: [2]int{1, 1}, Build: buildDiv})
}

func buildDiv(b *runtime.BuildContext) (runtime.Kernel, error) {
	k, err := buildArith("Div", divRows, ewCheckNonZero("Div"))(b)
	if err != nil {
		return nil, err
	}
	return &divKernel{k.(*arithKernel)}, nil
}

type divKernel struct{ *arithKernel }

func divRow[T tensor.Number](dst, a []T, sa int, b []T, sb int) {
	n := len(dst)
	switch {
	case sa == 1 && sb == 1:
		a, b = a[:n], b[:n]
		for i := range dst {
			dst[i] = a[i] / b[i]
		}
	case sa == 1:
		y := b[0]
		a = a[:n]
		for i := range dst {
			dst[i] = a[i] / y
		}
	case sb == 1:
		x := a[0]
		b = b[:n]
		for i := range dst {
			dst[i] = x / b[i]
		}
	default:
		v := a[0] / b[0]
		for i := range dst {
			dst[i] = v
		}
	}
}

// Backward: da = g/b, db = -g*y/b (y = a/b), each summed over the axes its
// input was broadcast along.
func (k *divKernel) Backward(rc *runtime.RunContext, f *runtime.Forward, g []*tensor.Tensor) ([]*tensor.Tensor, error) {
	out := make([]*tensor.Tensor, 2)
	a, b, gy := f.Inputs[0], f.Inputs[1], g[0]
	if gy == nil {
		return out, nil
	}
	if err := ewFloatGrad("Div", a, b, gy); err != nil {
		return nil, err
	}
	bl, err := ewLegacyIf(k.legacy, k.legacyAxis, a, b)
	if err != nil {
		return nil, err
	}
	div := func(x, y *tensor.Tensor) (*tensor.Tensor, error) {
		if x.DType() == tensor.Float32 {
			return applyRows(x, y, divRows.f32)
		}
		return applyRows(x, y, divRows.f64)
	}
	if f.NeedGrad[0] {
		q, err := div(gy, bl)
		if err != nil {
			return nil, err
		}
		if out[0], err = tensor.SumTo(q, a.Shape()); err != nil {
			return nil, err
		}
	}
	if f.NeedGrad[1] {
		gyy, err := ewMulFloat(gy, f.Outputs[0])
		if err != nil {
			return nil, err
		}
		q, err := div(gyy, bl)
		if err != nil {
			return nil, err
		}
		r, err := ewSumToInput(q, b, bl.Shape())
		if err != nil {
			return nil, err
		}
		out[1] = ewNegate(r)
	}
	return out, nil
}

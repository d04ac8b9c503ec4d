package std

import (
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// Mul: elementwise a * b with NumPy broadcasting (opset 7+; opsets 1–6
// also accept the legacy broadcast/axis attributes; 13 added bfloat16, 14
// the 8- and 16-bit integers). Integers wrap.

var mulRows = rowsFor(mulRow[float32], mulRow[float64],
	mulRow[int8], mulRow[int16], mulRow[int32], mulRow[int64],
	mulRow[uint8], mulRow[uint16], mulRow[uint32], mulRow[uint64])

func init() {
	register(&runtime.Op{Type: "Mul", Since: 1, Inputs: [2]int{2, 2}, Outputs: [2]int{1, 1}, Build: buildMul})
}

func buildMul(b *runtime.BuildContext) (runtime.Kernel, error) {
	k, err := buildArith("Mul", mulRows, nil)(b)
	if err != nil {
		return nil, err
	}
	return &mulKernel{k.(*arithKernel)}, nil
}

type mulKernel struct{ *arithKernel }

func mulRow[T tensor.Number](dst, a []T, sa int, b []T, sb int) {
	n := len(dst)
	switch {
	case sa == 1 && sb == 1:
		a, b = a[:n], b[:n]
		for i := range dst {
			dst[i] = a[i] * b[i]
		}
	case sa == 1:
		y := b[0]
		a = a[:n]
		for i := range dst {
			dst[i] = a[i] * y
		}
	case sb == 1:
		x := a[0]
		b = b[:n]
		for i := range dst {
			dst[i] = x * b[i]
		}
	default:
		v := a[0] * b[0]
		for i := range dst {
			dst[i] = v
		}
	}
}

// Backward: da = g*b, db = g*a, each summed over the axes its input was
// broadcast along.
func (k *mulKernel) Backward(rc *runtime.RunContext, f *runtime.Forward, g []*tensor.Tensor) ([]*tensor.Tensor, error) {
	out := make([]*tensor.Tensor, 2)
	a, b, gy := f.Inputs[0], f.Inputs[1], g[0]
	if gy == nil {
		return out, nil
	}
	if err := ewFloatGrad("Mul", a, b, gy); err != nil {
		return nil, err
	}
	bl, err := ewLegacyIf(k.legacy, k.legacyAxis, a, b)
	if err != nil {
		return nil, err
	}
	if f.NeedGrad[0] {
		p, err := ewMulFloat(gy, bl)
		if err != nil {
			return nil, err
		}
		if out[0], err = tensor.SumTo(p, a.Shape()); err != nil {
			return nil, err
		}
	}
	if f.NeedGrad[1] {
		p, err := ewMulFloat(gy, a)
		if err != nil {
			return nil, err
		}
		if out[1], err = ewSumToInput(p, b, bl.Shape()); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ewMulFloat returns x*y with broadcasting for float32/float64 tensors.
func ewMulFloat(x, y *tensor.Tensor) (*tensor.Tensor, error) {
	if x.DType() != y.DType() {
		return nil, errDType("Mul of %v and %v", x.DType(), y.DType())
	}
	if x.DType() == tensor.Float32 {
		return applyRows(x, y, mulRows.f32)
	}
	return applyRows(x, y, mulRows.f64)
}

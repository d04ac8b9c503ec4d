package std

import (
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// Sub: elementwise a - b with NumPy broadcasting (opset 7+; opsets 1–6
// also accept the legacy broadcast/axis attributes; 13 added bfloat16, 14
// the 8- and 16-bit integers). Integers wrap.

var subRows = rowsFor(subRow[float32], subRow[float64],
	subRow[int8], subRow[int16], subRow[int32], subRow[int64],
	subRow[uint8], subRow[uint16], subRow[uint32], subRow[uint64])

func init() {
	register(&runtime.Op{Type: "Sub", Since: 1, Inputs: [2]int{2, 2}, Outputs: [2]int{1, 1}, Build: buildSub})
}

func buildSub(b *runtime.BuildContext) (runtime.Kernel, error) {
	k, err := buildArith("Sub", subRows, nil)(b)
	if err != nil {
		return nil, err
	}
	return &subKernel{k.(*arithKernel)}, nil
}

type subKernel struct{ *arithKernel }

func subRow[T tensor.Number](dst, a []T, sa int, b []T, sb int) {
	n := len(dst)
	switch {
	case sa == 1 && sb == 1:
		a, b = a[:n], b[:n]
		for i := range dst {
			dst[i] = a[i] - b[i]
		}
	case sa == 1:
		y := b[0]
		a = a[:n]
		for i := range dst {
			dst[i] = a[i] - y
		}
	case sb == 1:
		x := a[0]
		b = b[:n]
		for i := range dst {
			dst[i] = x - b[i]
		}
	default:
		v := a[0] - b[0]
		for i := range dst {
			dst[i] = v
		}
	}
}

// Backward: da = g, db = -g, each summed over the axes its input was
// broadcast along.
func (k *subKernel) Backward(rc *runtime.RunContext, f *runtime.Forward, g []*tensor.Tensor) ([]*tensor.Tensor, error) {
	out := make([]*tensor.Tensor, 2)
	a, b, gy := f.Inputs[0], f.Inputs[1], g[0]
	if gy == nil {
		return out, nil
	}
	if err := ewFloatGrad("Sub", gy); err != nil {
		return nil, err
	}
	bl, err := ewLegacyIf(k.legacy, k.legacyAxis, a, b)
	if err != nil {
		return nil, err
	}
	if f.NeedGrad[0] {
		if out[0], err = tensor.SumTo(gy, a.Shape()); err != nil {
			return nil, err
		}
	}
	if f.NeedGrad[1] {
		r, err := ewSumToInput(gy, b, bl.Shape())
		if err != nil {
			return nil, err
		}
		out[1] = ewNegate(r)
	}
	return out, nil
}

// ewNegate returns -t for a float32 or float64 tensor.
func ewNegate(t *tensor.Tensor) *tensor.Tensor {
	switch t.DType() {
	case tensor.Float32:
		return ewMap(t, ewGrainCheap, negRow[float32])
	case tensor.Float64:
		return ewMap(t, ewGrainCheap, negRow[float64])
	}
	return t
}

package std

import (
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// Add: elementwise a + b with NumPy broadcasting (opset 7+; opsets 1–6
// also accept the legacy broadcast/axis attributes).

var addRows = rowsFor(addRow[float32], addRow[float64],
	addRow[int8], addRow[int16], addRow[int32], addRow[int64],
	addRow[uint8], addRow[uint16], addRow[uint32], addRow[uint64])

func init() {
	register(&runtime.Op{Type: "Add", Since: 1, Inputs: [2]int{2, 2}, Outputs: [2]int{1, 1}, Build: buildAdd})
}

func buildAdd(b *runtime.BuildContext) (runtime.Kernel, error) {
	k, err := buildArith("Add", addRows, nil)(b)
	if err != nil {
		return nil, err
	}
	return &addKernel{k.(*arithKernel)}, nil
}

type addKernel struct{ *arithKernel }

func addRow[T tensor.Number](dst, a []T, sa int, b []T, sb int) {
	n := len(dst)
	switch {
	case sa == 1 && sb == 1:
		a, b = a[:n], b[:n]
		for i := range dst {
			dst[i] = a[i] + b[i]
		}
	case sa == 1:
		y := b[0]
		a = a[:n]
		for i := range dst {
			dst[i] = a[i] + y
		}
	case sb == 1:
		x := a[0]
		b = b[:n]
		for i := range dst {
			dst[i] = x + b[i]
		}
	default:
		v := a[0] + b[0]
		for i := range dst {
			dst[i] = v
		}
	}
}

// Backward: the upstream gradient flows to both inputs, summed over the
// axes each was broadcast along.
func (k *addKernel) Backward(rc *runtime.RunContext, f *runtime.Forward, g []*tensor.Tensor) ([]*tensor.Tensor, error) {
	out := make([]*tensor.Tensor, 2)
	for i := 0; i < 2; i++ {
		if f.NeedGrad[i] && g[0] != nil {
			r, err := tensor.SumTo(g[0], f.Inputs[i].Shape())
			if err != nil {
				return nil, err
			}
			out[i] = r
		}
	}
	return out, nil
}

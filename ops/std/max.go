package std

import (
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// Max: elementwise maximum of one or more tensors (opset 1; 6 dropped
// consumed_inputs; 8 added NumPy broadcasting, which is accepted at every
// version; 12 added the integer types, 13 bfloat16). NaN propagates.

var maxRows = rowsFor(maxRow[float32], maxRow[float64],
	maxRow[int8], maxRow[int16], maxRow[int32], maxRow[int64],
	maxRow[uint8], maxRow[uint16], maxRow[uint32], maxRow[uint64])

func init() {
	register(&runtime.Op{Type: "Max", Since: 1, Inputs: [2]int{1, runtime.Variadic}, Outputs: [2]int{1, 1}, Build: fixed(maxKernel{})})
}

type maxKernel struct{}

func (maxKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if err := ewCheckOut(rc, in); err != nil {
		return nil, err
	}
	return out1(ewFold("Max", in, maxRows))
}

func maxRow[T tensor.Number](dst, a []T, sa int, b []T, sb int) {
	n := len(dst)
	switch {
	case sa == 1 && sb == 1:
		a, b = a[:n], b[:n]
		for i := range dst {
			dst[i] = max(a[i], b[i])
		}
	case sa == 1:
		y := b[0]
		a = a[:n]
		for i := range dst {
			dst[i] = max(a[i], y)
		}
	case sb == 1:
		x := a[0]
		b = b[:n]
		for i := range dst {
			dst[i] = max(x, b[i])
		}
	default:
		v := max(a[0], b[0])
		for i := range dst {
			dst[i] = v
		}
	}
}

// InferShapes broadcasts the inputs.
func (maxKernel) InferShapes(in []runtime.Fact) ([]runtime.Fact, error) { return ewFoldFacts(in) }

// Backward: each output element's gradient goes to the input that holds
// the maximum; on ties, to the first such input (lowest index), so the
// gradients sum to the upstream gradient.
func (maxKernel) Backward(rc *runtime.RunContext, f *runtime.Forward, g []*tensor.Tensor) ([]*tensor.Tensor, error) {
	return ewSelectGrads("Max", f, g[0])
}

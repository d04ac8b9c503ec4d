package std

import (
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// Min: elementwise minimum of one or more tensors (opset 1; 6 dropped
// consumed_inputs; 8 added NumPy broadcasting, which is accepted at every
// version; 12 added the integer types, 13 bfloat16). NaN propagates.

var minRows = rowsFor(minRow[float32], minRow[float64],
	minRow[int8], minRow[int16], minRow[int32], minRow[int64],
	minRow[uint8], minRow[uint16], minRow[uint32], minRow[uint64])

func init() {
	register(&runtime.Op{Type: "Min", Since: 1, Inputs: [2]int{1, runtime.Variadic}, Outputs: [2]int{1, 1}, Build: fixed(minKernel{})})
}

type minKernel struct{}

func (minKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if err := ewCheckOut(rc, in); err != nil {
		return nil, err
	}
	return out1(ewFold("Min", in, minRows))
}

func minRow[T tensor.Number](dst, a []T, sa int, b []T, sb int) {
	n := len(dst)
	switch {
	case sa == 1 && sb == 1:
		a, b = a[:n], b[:n]
		for i := range dst {
			dst[i] = min(a[i], b[i])
		}
	case sa == 1:
		y := b[0]
		a = a[:n]
		for i := range dst {
			dst[i] = min(a[i], y)
		}
	case sb == 1:
		x := a[0]
		b = b[:n]
		for i := range dst {
			dst[i] = min(x, b[i])
		}
	default:
		v := min(a[0], b[0])
		for i := range dst {
			dst[i] = v
		}
	}
}

// InferShapes broadcasts the inputs.
func (minKernel) InferShapes(in []runtime.Fact) ([]runtime.Fact, error) { return ewFoldFacts(in) }

// Backward: each output element's gradient goes to the input that holds
// the minimum; on ties, to the first such input (lowest index), so the
// gradients sum to the upstream gradient.
func (minKernel) Backward(rc *runtime.RunContext, f *runtime.Forward, g []*tensor.Tensor) ([]*tensor.Tensor, error) {
	return ewSelectGrads("Min", f, g[0])
}

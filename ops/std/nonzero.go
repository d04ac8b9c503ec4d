package std

import (
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// NonZero: the coordinates of the non-zero elements, as an int64 tensor
// of shape [rank, count] in row-major order of the elements (a scalar is
// treated as a 1-element vector). Opset 9; opset 13 only added dtypes.

func init() {
	register(&runtime.Op{Type: "NonZero", Since: 9, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1}, Build: fixed(nonZeroKernel{})})
}

type nonZeroKernel struct{}

func (nonZeroKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	x := in[0]
	if x.DType() == tensor.String {
		return nil, errDType("NonZero of strings")
	}
	b, err := tensor.Convert(x, tensor.Bool)
	if err != nil {
		return nil, err
	}
	flags := tensor.Data[bool](b)
	shape := x.Shape()
	if len(shape) == 0 {
		shape = []int{1}
	}
	var hits []int
	for i, v := range flags {
		if v {
			hits = append(hits, i)
		}
	}
	r, n := len(shape), len(hits)
	out := tensor.Make[int64](r, n)
	d := tensor.Data[int64](out)
	for j, p := range hits {
		for k := r - 1; k >= 0; k-- {
			d[k*n+j] = int64(p % shape[k])
			p /= shape[k]
		}
	}
	return []*tensor.Tensor{out}, nil
}

// InferShapes: int64 [rank, unknown].
func (nonZeroKernel) InferShapes(in []runtime.Fact) ([]runtime.Fact, error) {
	out := runtime.Fact{DType: tensor.Int64}
	if in[0].HasShape {
		out.Shape, out.HasShape = []int{max(len(in[0].Shape), 1), -1}, true
	}
	return []runtime.Fact{out}, nil
}

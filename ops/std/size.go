package std

import (
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// Size: the number of elements of the input, as an int64 scalar. Opset 1;
// opset 13 only added dtypes.

func init() {
	register(&runtime.Op{Type: "Size", Since: 1, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1}, Build: fixed(sizeKernel{})})
}

type sizeKernel struct{}

func (sizeKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	return []*tensor.Tensor{tensor.Scalar(int64(in[0].Len()))}, nil
}

// InferShapes: an int64 scalar.
func (sizeKernel) InferShapes(in []runtime.Fact) ([]runtime.Fact, error) {
	return []runtime.Fact{{DType: tensor.Int64, Shape: []int{}, HasShape: true}}, nil
}

package std

import (
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// CastLike: converts input 0 to the dtype of input 1 (whose values are not
// used), with Cast's conversion rules (opset 15).

func init() {
	register(&runtime.Op{Type: "CastLike", Since: 15, Inputs: [2]int{2, 2}, Outputs: [2]int{1, 1}, Build: fixed(castLikeKernel{})})
}

type castLikeKernel struct{}

func (castLikeKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	return out1(ewCast(in[0], in[1].DType()))
}

// InferShapes: input 0's shape with input 1's dtype.
func (castLikeKernel) InferShapes(in []runtime.Fact) ([]runtime.Fact, error) {
	f := in[0]
	f.DType = in[1].DType
	f.Value = nil
	return []runtime.Fact{f}, nil
}

// Backward casts the gradient back to input 0's type (float to float
// only); the target-type input gets none.
func (castLikeKernel) Backward(rc *runtime.RunContext, f *runtime.Forward, g []*tensor.Tensor) ([]*tensor.Tensor, error) {
	return ewCastGrad(f, g[0], f.Inputs[1].DType())
}

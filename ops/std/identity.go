package std

import (
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// Identity: the output is the input (shared storage; tensors are never
// modified in place).

func init() {
	register(&runtime.Op{Type: "Identity", Since: 1, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1}, Build: fixed(identityKernel{})})
}

type identityKernel struct{}

func (identityKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	return []*tensor.Tensor{in[0]}, nil
}

// InferShapes: same as the input.
func (identityKernel) InferShapes(in []runtime.Fact) ([]runtime.Fact, error) {
	return sameAsInput(0)(in)
}

// Backward passes the gradient through.
func (identityKernel) Backward(rc *runtime.RunContext, f *runtime.Forward, g []*tensor.Tensor) ([]*tensor.Tensor, error) {
	return []*tensor.Tensor{g[0]}, nil
}

package std

import (
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// Not: logical negation of a bool tensor, elementwise (opset 1).

func init() {
	register(&runtime.Op{Type: "Not", Since: 1, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1}, Build: fixed(notKernel{})})
}

type notKernel struct{}

func (notKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	x := in[0]
	if x.DType() != tensor.Bool {
		return nil, errDType("Not needs bool, got %v", x.DType())
	}
	return out1(ewMapElem(x, func(v bool) bool { return !v }), nil)
}

// InferShapes: same as the input.
func (notKernel) InferShapes(in []runtime.Fact) ([]runtime.Fact, error) { return sameAsInput(0)(in) }

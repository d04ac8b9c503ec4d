package std

import (
	"math"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// IsNaN: true where x is NaN, elementwise on floats (opset 9; 13 added
// bfloat16).

func init() {
	register(&runtime.Op{Type: "IsNaN", Since: 9, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1}, Build: fixed(isNaNKernel{})})
}

type isNaNKernel struct{}

func (isNaNKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	x := in[0]
	switch x.DType() {
	case tensor.Float32:
		return out1(ewMapElem(x, func(v float32) bool { return v != v }), nil)
	case tensor.Float64:
		return out1(ewMapElem(x, math.IsNaN), nil)
	case tensor.Float16:
		return out1(ewMapElem(x, func(v tensor.F16) bool { return v&0x7c00 == 0x7c00 && v&0x3ff != 0 }), nil)
	case tensor.BFloat16:
		return out1(ewMapElem(x, func(v tensor.BF16) bool { return v&0x7f80 == 0x7f80 && v&0x7f != 0 }), nil)
	}
	return nil, errDType("IsNaN does not support %v", x.DType())
}

// InferShapes: the input's shape, bool.
func (isNaNKernel) InferShapes(in []runtime.Fact) ([]runtime.Fact, error) {
	f := in[0]
	f.Value, f.DType = nil, tensor.Bool
	return []runtime.Fact{f}, nil
}

package std

import (
	"math"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// IsInf: true where x is +Inf (if detect_positive, default 1) or -Inf (if
// detect_negative, default 1), elementwise on floats (opset 10; float16 and
// bfloat16 are accepted too).

func init() {
	register(&runtime.Op{Type: "IsInf", Since: 10, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1}, Build: buildIsInf})
}

func buildIsInf(b *runtime.BuildContext) (runtime.Kernel, error) {
	return &isInfKernel{pos: b.Int("detect_positive", 1) != 0, neg: b.Int("detect_negative", 1) != 0}, b.Err()
}

type isInfKernel struct{ pos, neg bool }

func (k *isInfKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	x := in[0]
	test := func(v float64) bool { return (k.pos && math.IsInf(v, 1)) || (k.neg && math.IsInf(v, -1)) }
	switch x.DType() {
	case tensor.Float32:
		return out1(ewMapElem(x, func(v float32) bool { return test(float64(v)) }), nil)
	case tensor.Float64:
		return out1(ewMapElem(x, test), nil)
	case tensor.Float16:
		return out1(ewMapElem(x, func(v tensor.F16) bool { return test(float64(v.Float32())) }), nil)
	case tensor.BFloat16:
		return out1(ewMapElem(x, func(v tensor.BF16) bool { return test(float64(v.Float32())) }), nil)
	}
	return nil, errDType("IsInf does not support %v", x.DType())
}

// InferShapes: the input's shape, bool.
func (k *isInfKernel) InferShapes(in []runtime.Fact) ([]runtime.Fact, error) {
	f := in[0]
	f.Value, f.DType = nil, tensor.Bool
	return []runtime.Fact{f}, nil
}

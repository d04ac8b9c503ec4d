package std

import (
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// Relu: max(x, 0) elementwise.

func init() {
	register(&runtime.Op{Type: "Relu", Since: 1, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1}, Build: fixed(reluKernel{})})
}

type reluKernel struct{}

func (reluKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	x := in[0]
	switch x.DType() {
	case tensor.Float32:
		return out1(map1(x, func(v float32) float32 { return max(v, 0) }), nil)
	case tensor.Float64:
		return out1(map1(x, func(v float64) float64 { return max(v, 0) }), nil)
	case tensor.Float16:
		return out1(map1(x, func(v tensor.F16) tensor.F16 {
			if v.Float32() < 0 {
				return 0
			}
			return v
		}), nil)
	case tensor.Int8:
		return out1(map1(x, func(v int8) int8 { return max(v, 0) }), nil)
	case tensor.Int16:
		return out1(map1(x, func(v int16) int16 { return max(v, 0) }), nil)
	case tensor.Int32:
		return out1(map1(x, func(v int32) int32 { return max(v, 0) }), nil)
	case tensor.Int64:
		return out1(map1(x, func(v int64) int64 { return max(v, 0) }), nil)
	}
	return nil, errDType("Relu does not support %v", x.DType())
}

// InferShapes: same as the input.
func (reluKernel) InferShapes(in []runtime.Fact) ([]runtime.Fact, error) { return sameAsInput(0)(in) }

// Backward passes the gradient where x > 0.
func (reluKernel) Backward(rc *runtime.RunContext, f *runtime.Forward, g []*tensor.Tensor) ([]*tensor.Tensor, error) {
	x, gy := f.Inputs[0], g[0]
	switch x.DType() {
	case tensor.Float32:
		return out1(maskGrad(tensor.Data[float32](x), gy), nil)
	case tensor.Float64:
		return out1(maskGrad(tensor.Data[float64](x), gy), nil)
	}
	return nil, errDType("Relu gradient for %v", x.DType())
}

func maskGrad[T tensor.Float](x []T, gy *tensor.Tensor) *tensor.Tensor {
	out := tensor.Make[T](gy.Shape()...)
	d, g := tensor.Data[T](out), tensor.Data[T](gy)
	for i, v := range x {
		if v > 0 {
			d[i] = g[i]
		}
	}
	return out
}

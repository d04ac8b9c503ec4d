package std

import (
	"math"

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
		return out1(reluFloat[float32](x), nil)
	case tensor.Float64:
		return out1(reluFloat[float64](x), nil)
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

// reluFloat is max(v, 0) (NaN stays NaN) in a plain loop: through map1's
// function value the call per element cost more than the work.
func reluFloat[T tensor.Float](x *tensor.Tensor) *tensor.Tensor {
	out := tensor.Make[T](x.Shape()...)
	d := tensor.Data[T](out)
	for i, v := range tensor.Data[T](x)[:len(d)] {
		d[i] = max(v, 0)
	}
	return out
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

// maskGrad returns gy where x > 0 and 0 elsewhere (NaN and ±0 included).
// It selects by bit masks rather than branches: the sign of x is random in
// a network, and mispredicted branches made this loop several times
// slower than the memory traffic.
func maskGrad[T tensor.Float](x []T, gy *tensor.Tensor) *tensor.Tensor {
	out := tensor.Make[T](gy.Shape()...)
	switch d := any(tensor.Data[T](out)).(type) {
	case []float32:
		g := tensor.Data[float32](gy)[:len(d)]
		for i, v := range any(x).([]float32)[:len(d)] {
			var m uint32
			// x in (0, +Inf]: its bits minus one are below those of +Inf.
			if math.Float32bits(v)-1 < 0x7f800000 {
				m = ^uint32(0)
			}
			d[i] = math.Float32frombits(math.Float32bits(g[i]) & m)
		}
	case []float64:
		g := tensor.Data[float64](gy)[:len(d)]
		for i, v := range any(x).([]float64)[:len(d)] {
			var m uint64
			if math.Float64bits(v)-1 < 0x7ff0000000000000 {
				m = ^uint64(0)
			}
			d[i] = math.Float64frombits(math.Float64bits(g[i]) & m)
		}
	}
	return out
}

package std

import (
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// Neg: y = -x elementwise (opset 1; 6 added the signed integer types, 13
// bfloat16). Integers wrap: -MinInt is MinInt.

func init() {
	register(&runtime.Op{Type: "Neg", Since: 1, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1}, Build: fixed(negKernel)})
}

var negKernel = &ewUnaryGradKernel{
	ewUnaryKernel: ewUnaryKernel{name: "Neg", fns: ewUnaryFns{
		f32: negRow[float32], f64: negRow[float64], other: negOther, grain: ewGrainCheap,
	}},
	deriv: func(x, y float64) float64 { return -1 },
}

func negRow[T tensor.Number](dst, src []T) {
	src = src[:len(dst)]
	for i, v := range src {
		dst[i] = -v
	}
}

func negOther(x *tensor.Tensor) (*tensor.Tensor, bool) {
	switch x.DType() {
	case tensor.Int8:
		return ewMap(x, ewGrainCheap, negRow[int8]), true
	case tensor.Int16:
		return ewMap(x, ewGrainCheap, negRow[int16]), true
	case tensor.Int32:
		return ewMap(x, ewGrainCheap, negRow[int32]), true
	case tensor.Int64:
		return ewMap(x, ewGrainCheap, negRow[int64]), true
	}
	return nil, false
}

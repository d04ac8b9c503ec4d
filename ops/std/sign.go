package std

import (
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// Sign: y = -1, 0 or 1 by the sign of x, elementwise (opset 9; 13 added
// bfloat16). NaN stays NaN.

func init() {
	register(&runtime.Op{Type: "Sign", Since: 9, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1}, Build: fixed(signKernel)})
}

var signKernel = &ewUnaryGradKernel{
	ewUnaryKernel: ewUnaryKernel{name: "Sign", fns: ewUnaryFns{
		f32: signRow[float32], f64: signRow[float64], other: signOther, grain: ewGrainCheap,
	}},
	// The derivative is zero almost everywhere.
	deriv: func(_, _ float64) float64 { return 0 },
}

func signRow[T tensor.Number](dst, src []T) {
	src = src[:len(dst)]
	for i, v := range src {
		switch {
		case v > 0:
			dst[i] = 1
		case v < 0:
			dst[i] = 0
			dst[i]--
		case v == 0:
			dst[i] = 0
		default: // NaN
			dst[i] = v
		}
	}
}

func signOther(x *tensor.Tensor) (*tensor.Tensor, bool) {
	switch x.DType() {
	case tensor.Int8:
		return ewMap(x, ewGrainCheap, signRow[int8]), true
	case tensor.Int16:
		return ewMap(x, ewGrainCheap, signRow[int16]), true
	case tensor.Int32:
		return ewMap(x, ewGrainCheap, signRow[int32]), true
	case tensor.Int64:
		return ewMap(x, ewGrainCheap, signRow[int64]), true
	case tensor.Uint8:
		return ewMap(x, ewGrainCheap, signRow[uint8]), true
	case tensor.Uint16:
		return ewMap(x, ewGrainCheap, signRow[uint16]), true
	case tensor.Uint32:
		return ewMap(x, ewGrainCheap, signRow[uint32]), true
	case tensor.Uint64:
		return ewMap(x, ewGrainCheap, signRow[uint64]), true
	}
	return nil, false
}

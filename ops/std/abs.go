package std

import (
	"math"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// Abs: y = |x| elementwise (opset 1; 6 added the integer types, 13
// bfloat16). Signed integers wrap: |MinInt| is MinInt.

func init() {
	register(&runtime.Op{Type: "Abs", Since: 1, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1}, Build: fixed(absKernel)})
}

var absKernel = &ewUnaryGradKernel{
	ewUnaryKernel: ewUnaryKernel{name: "Abs", fns: ewUnaryFns{
		f32: absF32, f64: absF64, other: absOther, grain: ewGrainCheap,
	}},
	// d|x|/dx = sign(x), taken as 0 at x = 0.
	deriv: func(x, y float64) float64 {
		switch {
		case x > 0:
			return 1
		case x < 0:
			return -1
		}
		return 0
	},
}

func absF32(dst, src []float32) {
	src = src[:len(dst)]
	for i, v := range src {
		dst[i] = math.Float32frombits(math.Float32bits(v) &^ (1 << 31))
	}
}

func absF64(dst, src []float64) {
	src = src[:len(dst)]
	for i, v := range src {
		dst[i] = math.Abs(v)
	}
}

func absInt[T tensor.Number](dst, src []T) {
	src = src[:len(dst)]
	for i, v := range src {
		if v < 0 {
			v = -v
		}
		dst[i] = v
	}
}

func absOther(x *tensor.Tensor) (*tensor.Tensor, bool) {
	switch x.DType() {
	case tensor.Int8:
		return ewMap(x, ewGrainCheap, absInt[int8]), true
	case tensor.Int16:
		return ewMap(x, ewGrainCheap, absInt[int16]), true
	case tensor.Int32:
		return ewMap(x, ewGrainCheap, absInt[int32]), true
	case tensor.Int64:
		return ewMap(x, ewGrainCheap, absInt[int64]), true
	case tensor.Uint8, tensor.Uint16, tensor.Uint32, tensor.Uint64:
		return x.Clone(), true
	}
	return nil, false
}

package std

import (
	"math"

	"github.com/optnet-go/optnet/runtime"
)

// Sqrt: y = √x elementwise (opset 1; 6 dropped consumed_inputs, 13 added bfloat16).
// The root of a negative number is NaN.

func init() {
	register(&runtime.Op{Type: "Sqrt", Since: 1, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1}, Build: fixed(sqrtKernel)})
}

var sqrtKernel = &ewUnaryGradKernel{
	ewUnaryKernel: ewUnaryKernel{name: "Sqrt", fns: ewUnaryFns{f32: sqrtF32, f64: sqrtF64, grain: ewGrainCheap}},
	deriv:         func(_, y float64) float64 { return 0.5 / y },
}

func sqrtF32(dst, src []float32) {
	src = src[:len(dst)]
	for i, v := range src {
		x := float64(v)
		dst[i] = float32(math.Sqrt(x))
	}
}

func sqrtF64(dst, src []float64) {
	src = src[:len(dst)]
	for i, x := range src {
		dst[i] = math.Sqrt(x)
	}
}

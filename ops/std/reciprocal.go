package std

import (
	"github.com/optnet-go/optnet/runtime"
)

// Reciprocal: y = 1/x elementwise (opset 1; 6 dropped consumed_inputs, 13 added
// bfloat16).

func init() {
	register(&runtime.Op{Type: "Reciprocal", Since: 1, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1}, Build: fixed(reciprocalKernel)})
}

var reciprocalKernel = &ewUnaryGradKernel{
	ewUnaryKernel: ewUnaryKernel{name: "Reciprocal", fns: ewUnaryFns{f32: reciprocalF32, f64: reciprocalF64, grain: ewGrainCheap}},
	deriv:         func(_, y float64) float64 { return -y * y },
}

func reciprocalF32(dst, src []float32) {
	src = src[:len(dst)]
	for i, v := range src {
		dst[i] = 1 / v
	}
}

func reciprocalF64(dst, src []float64) {
	src = src[:len(dst)]
	for i, x := range src {
		dst[i] = 1 / x
	}
}

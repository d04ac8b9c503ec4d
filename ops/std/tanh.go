package std

import (
	"math"

	"github.com/optnet-go/optnet/runtime"
)

// Tanh: y = tanh x elementwise (opset 1; 6 dropped consumed_inputs, 13 added
// bfloat16).

func init() {
	register(&runtime.Op{Type: "Tanh", Since: 1, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1}, Build: fixed(tanhKernel)})
}

var tanhKernel = &ewUnaryGradKernel{
	ewUnaryKernel: ewUnaryKernel{name: "Tanh", fns: ewUnaryFns{f32: tanhF32, f64: tanhF64, grain: ewGrainMath}},
	deriv:         func(_, y float64) float64 { return 1 - y*y },
}

func tanhF32(dst, src []float32) {
	src = src[:len(dst)]
	for i, v := range src {
		x := float64(v)
		dst[i] = float32(math.Tanh(x))
	}
}

func tanhF64(dst, src []float64) {
	src = src[:len(dst)]
	for i, x := range src {
		dst[i] = math.Tanh(x)
	}
}

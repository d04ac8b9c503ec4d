package std

import (
	"math"

	"github.com/optnet-go/optnet/runtime"
)

// Exp: y = e^x elementwise (opset 1; 6 dropped consumed_inputs, 13 added bfloat16).

func init() {
	register(&runtime.Op{Type: "Exp", Since: 1, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1}, Build: fixed(expKernel)})
}

var expKernel = &ewUnaryGradKernel{
	ewUnaryKernel: ewUnaryKernel{name: "Exp", fns: ewUnaryFns{f32: expF32, f64: expF64, grain: ewGrainMath}},
	deriv:         func(_, y float64) float64 { return y },
}

func expF32(dst, src []float32) {
	src = src[:len(dst)]
	for i, v := range src {
		x := float64(v)
		dst[i] = float32(math.Exp(x))
	}
}

func expF64(dst, src []float64) {
	src = src[:len(dst)]
	for i, x := range src {
		dst[i] = math.Exp(x)
	}
}

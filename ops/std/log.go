package std

import (
	"math"

	"github.com/optnet-go/optnet/runtime"
)

// Log: y = ln x elementwise (opset 1; 6 dropped consumed_inputs, 13 added bfloat16).
// ln 0 = -Inf, ln of a negative number is NaN.

func init() {
	register(&runtime.Op{Type: "Log", Since: 1, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1}, Build: fixed(logKernel)})
}

var logKernel = &ewUnaryGradKernel{
	ewUnaryKernel: ewUnaryKernel{name: "Log", fns: ewUnaryFns{f32: logF32, f64: logF64, grain: ewGrainMath}},
	deriv:         func(x, _ float64) float64 { return 1 / x },
}

func logF32(dst, src []float32) {
	src = src[:len(dst)]
	for i, v := range src {
		x := float64(v)
		dst[i] = float32(math.Log(x))
	}
}

func logF64(dst, src []float64) {
	src = src[:len(dst)]
	for i, x := range src {
		dst[i] = math.Log(x)
	}
}

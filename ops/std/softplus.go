package std

import (
	"math"

	"github.com/optnet-go/optnet/runtime"
)

// Softplus: y = ln(1+e^x) elementwise, computed without overflow (opset 1).

func init() {
	register(&runtime.Op{Type: "Softplus", Since: 1, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1}, Build: fixed(softplusKernel)})
}

var softplusKernel = &ewUnaryGradKernel{
	ewUnaryKernel: ewUnaryKernel{name: "Softplus", fns: ewUnaryFns{f32: softplusF32, f64: softplusF64, grain: ewGrainMath}},
	deriv:         func(x, _ float64) float64 { return sigmoid64(x) },
}

func softplusF32(dst, src []float32) {
	src = src[:len(dst)]
	for i, v := range src {
		x := float64(v)
		dst[i] = float32(softplus64(x))
	}
}

func softplusF64(dst, src []float64) {
	src = src[:len(dst)]
	for i, x := range src {
		dst[i] = softplus64(x)
	}
}

// softplus64 is ln(1+e^x) = max(x, 0) + ln(1+e^-|x|), which neither
// overflows nor loses the small values of large negative x.
func softplus64(x float64) float64 {
	return max(x, 0) + math.Log1p(math.Exp(-math.Abs(x)))
}

package std

import (
	"math"

	"github.com/optnet-go/optnet/runtime"
)

// Acosh: y = arcosh x elementwise (opset 9); NaN below 1.

func init() {
	register(&runtime.Op{Type: "Acosh", Since: 9, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1}, Build: fixed(acoshKernel)})
}

var acoshKernel = &ewUnaryGradKernel{
	ewUnaryKernel: ewUnaryKernel{name: "Acosh", fns: ewUnaryFns{f32: acoshF32, f64: acoshF64, grain: ewGrainMath}},
	deriv:         func(x, _ float64) float64 { return 1 / math.Sqrt(x*x-1) },
}

func acoshF32(dst, src []float32) {
	src = src[:len(dst)]
	for i, v := range src {
		x := float64(v)
		dst[i] = float32(math.Acosh(x))
	}
}

func acoshF64(dst, src []float64) {
	src = src[:len(dst)]
	for i, x := range src {
		dst[i] = math.Acosh(x)
	}
}

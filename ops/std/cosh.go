package std

import (
	"math"

	"github.com/optnet-go/optnet/runtime"
)

// Cosh: y = cosh x elementwise (opset 9).

func init() {
	register(&runtime.Op{Type: "Cosh", Since: 9, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1}, Build: fixed(coshKernel)})
}

var coshKernel = &ewUnaryGradKernel{
	ewUnaryKernel: ewUnaryKernel{name: "Cosh", fns: ewUnaryFns{f32: coshF32, f64: coshF64, grain: ewGrainMath}},
	deriv:         func(x, _ float64) float64 { return math.Sinh(x) },
}

func coshF32(dst, src []float32) {
	src = src[:len(dst)]
	for i, v := range src {
		x := float64(v)
		dst[i] = float32(math.Cosh(x))
	}
}

func coshF64(dst, src []float64) {
	src = src[:len(dst)]
	for i, x := range src {
		dst[i] = math.Cosh(x)
	}
}

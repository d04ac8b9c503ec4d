package std

import (
	"math"

	"github.com/optnet-go/optnet/runtime"
)

// Atan: y = arctan x elementwise (opset 7).

func init() {
	register(&runtime.Op{Type: "Atan", Since: 7, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1}, Build: fixed(atanKernel)})
}

var atanKernel = &ewUnaryGradKernel{
	ewUnaryKernel: ewUnaryKernel{name: "Atan", fns: ewUnaryFns{f32: atanF32, f64: atanF64, grain: ewGrainMath}},
	deriv:         func(x, _ float64) float64 { return 1 / (1 + x*x) },
}

func atanF32(dst, src []float32) {
	src = src[:len(dst)]
	for i, v := range src {
		x := float64(v)
		dst[i] = float32(math.Atan(x))
	}
}

func atanF64(dst, src []float64) {
	src = src[:len(dst)]
	for i, x := range src {
		dst[i] = math.Atan(x)
	}
}

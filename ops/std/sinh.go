package std

import (
	"math"

	"github.com/optnet-go/optnet/runtime"
)

// Sinh: y = sinh x elementwise (opset 9).

func init() {
	register(&runtime.Op{Type: "Sinh", Since: 9, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1}, Build: fixed(sinhKernel)})
}

var sinhKernel = &ewUnaryGradKernel{
	ewUnaryKernel: ewUnaryKernel{name: "Sinh", fns: ewUnaryFns{f32: sinhF32, f64: sinhF64, grain: ewGrainMath}},
	deriv:         func(x, _ float64) float64 { return math.Cosh(x) },
}

func sinhF32(dst, src []float32) {
	src = src[:len(dst)]
	for i, v := range src {
		x := float64(v)
		dst[i] = float32(math.Sinh(x))
	}
}

func sinhF64(dst, src []float64) {
	src = src[:len(dst)]
	for i, x := range src {
		dst[i] = math.Sinh(x)
	}
}

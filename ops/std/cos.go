package std

import (
	"math"

	"github.com/optnet-go/optnet/runtime"
)

// Cos: y = cos x elementwise (opset 7).

func init() {
	register(&runtime.Op{Type: "Cos", Since: 7, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1}, Build: fixed(cosKernel)})
}

var cosKernel = &ewUnaryGradKernel{
	ewUnaryKernel: ewUnaryKernel{name: "Cos", fns: ewUnaryFns{f32: cosF32, f64: cosF64, grain: ewGrainMath}},
	deriv:         func(x, _ float64) float64 { return -math.Sin(x) },
}

func cosF32(dst, src []float32) {
	src = src[:len(dst)]
	for i, v := range src {
		x := float64(v)
		dst[i] = float32(math.Cos(x))
	}
}

func cosF64(dst, src []float64) {
	src = src[:len(dst)]
	for i, x := range src {
		dst[i] = math.Cos(x)
	}
}

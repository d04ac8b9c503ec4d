package std

import (
	"math"

	"github.com/optnet-go/optnet/runtime"
)

// Sin: y = sin x elementwise (opset 7).

func init() {
	register(&runtime.Op{Type: "Sin", Since: 7, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1}, Build: fixed(sinKernel)})
}

var sinKernel = &ewUnaryGradKernel{
	ewUnaryKernel: ewUnaryKernel{name: "Sin", fns: ewUnaryFns{f32: sinF32, f64: sinF64, grain: ewGrainMath}},
	deriv:         func(x, _ float64) float64 { return math.Cos(x) },
}

func sinF32(dst, src []float32) {
	src = src[:len(dst)]
	for i, v := range src {
		x := float64(v)
		dst[i] = float32(math.Sin(x))
	}
}

func sinF64(dst, src []float64) {
	src = src[:len(dst)]
	for i, x := range src {
		dst[i] = math.Sin(x)
	}
}

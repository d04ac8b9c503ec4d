package std

import (
	"math"

	"github.com/optnet-go/optnet/runtime"
)

// Asin: y = arcsin x elementwise (opset 7); NaN outside [-1, 1].

func init() {
	register(&runtime.Op{Type: "Asin", Since: 7, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1}, Build: fixed(asinKernel)})
}

var asinKernel = &ewUnaryGradKernel{
	ewUnaryKernel: ewUnaryKernel{name: "Asin", fns: ewUnaryFns{f32: asinF32, f64: asinF64, grain: ewGrainMath}},
	deriv:         func(x, _ float64) float64 { return 1 / math.Sqrt(1-x*x) },
}

func asinF32(dst, src []float32) {
	src = src[:len(dst)]
	for i, v := range src {
		x := float64(v)
		dst[i] = float32(math.Asin(x))
	}
}

func asinF64(dst, src []float64) {
	src = src[:len(dst)]
	for i, x := range src {
		dst[i] = math.Asin(x)
	}
}

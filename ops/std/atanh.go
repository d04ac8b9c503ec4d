package std

import (
	"math"

	"github.com/optnet-go/optnet/runtime"
)

// Atanh: y = artanh x elementwise (opset 9); NaN outside [-1, 1].

func init() {
	register(&runtime.Op{Type: "Atanh", Since: 9, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1}, Build: fixed(atanhKernel)})
}

var atanhKernel = &ewUnaryGradKernel{
	ewUnaryKernel: ewUnaryKernel{name: "Atanh", fns: ewUnaryFns{f32: atanhF32, f64: atanhF64, grain: ewGrainMath}},
	deriv:         func(x, _ float64) float64 { return 1 / (1 - x*x) },
}

func atanhF32(dst, src []float32) {
	src = src[:len(dst)]
	for i, v := range src {
		x := float64(v)
		dst[i] = float32(math.Atanh(x))
	}
}

func atanhF64(dst, src []float64) {
	src = src[:len(dst)]
	for i, x := range src {
		dst[i] = math.Atanh(x)
	}
}

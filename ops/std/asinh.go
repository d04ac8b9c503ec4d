package std

import (
	"math"

	"github.com/optnet-go/optnet/runtime"
)

// Asinh: y = arsinh x elementwise (opset 9).

func init() {
	register(&runtime.Op{Type: "Asinh", Since: 9, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1}, Build: fixed(asinhKernel)})
}

var asinhKernel = &ewUnaryGradKernel{
	ewUnaryKernel: ewUnaryKernel{name: "Asinh", fns: ewUnaryFns{f32: asinhF32, f64: asinhF64, grain: ewGrainMath}},
	deriv:         func(x, _ float64) float64 { return 1 / math.Sqrt(x*x+1) },
}

func asinhF32(dst, src []float32) {
	src = src[:len(dst)]
	for i, v := range src {
		x := float64(v)
		dst[i] = float32(math.Asinh(x))
	}
}

func asinhF64(dst, src []float64) {
	src = src[:len(dst)]
	for i, x := range src {
		dst[i] = math.Asinh(x)
	}
}

package std

import (
	"math"

	"github.com/optnet-go/optnet/runtime"
)

// Sigmoid: y = 1/(1+e^-x) elementwise (opset 1; 6 dropped consumed_inputs, 13 added
// bfloat16).

func init() {
	register(&runtime.Op{Type: "Sigmoid", Since: 1, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1}, Build: fixed(sigmoidKernel)})
}

var sigmoidKernel = &ewUnaryGradKernel{
	ewUnaryKernel: ewUnaryKernel{name: "Sigmoid", fns: ewUnaryFns{f32: sigmoidF32, f64: sigmoidF64, grain: ewGrainMath}},
	deriv:         func(_, y float64) float64 { return y * (1 - y) },
}

func sigmoidF32(dst, src []float32) {
	src = src[:len(dst)]
	for i, v := range src {
		x := float64(v)
		dst[i] = float32(sigmoid64(x))
	}
}

func sigmoidF64(dst, src []float64) {
	src = src[:len(dst)]
	for i, x := range src {
		dst[i] = sigmoid64(x)
	}
}

// sigmoid64 is 1/(1+e^-x), evaluated so that e^x never overflows.
func sigmoid64(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

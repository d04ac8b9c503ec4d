package std

import (
	"math"

	"github.com/optnet-go/optnet/runtime"
)

// Softsign: y = x/(1+|x|) elementwise (opset 1).

func init() {
	register(&runtime.Op{Type: "Softsign", Since: 1, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1}, Build: fixed(softsignKernel)})
}

var softsignKernel = &ewUnaryGradKernel{
	ewUnaryKernel: ewUnaryKernel{name: "Softsign", fns: ewUnaryFns{f32: softsignF32, f64: softsignF64, grain: ewGrainCheap}},
	deriv:         func(x, _ float64) float64 { return 1 / ((1 + math.Abs(x)) * (1 + math.Abs(x))) },
}

func softsignF32(dst, src []float32) {
	src = src[:len(dst)]
	for i, v := range src {
		x := float64(v)
		dst[i] = float32(x / (1 + math.Abs(x)))
	}
}

func softsignF64(dst, src []float64) {
	src = src[:len(dst)]
	for i, x := range src {
		dst[i] = x / (1 + math.Abs(x))
	}
}

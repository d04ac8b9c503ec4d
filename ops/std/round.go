package std

import (
	"math"

	"github.com/optnet-go/optnet/runtime"
)

// Round: rounds x to the nearest integer elementwise, halves to even (opset 11).

func init() {
	register(&runtime.Op{Type: "Round", Since: 11, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1}, Build: fixed(roundKernel)})
}

var roundKernel = &ewUnaryGradKernel{
	ewUnaryKernel: ewUnaryKernel{name: "Round", fns: ewUnaryFns{f32: roundF32, f64: roundF64, grain: ewGrainCheap}},
	// The derivative is zero almost everywhere.
	deriv: func(_, _ float64) float64 { return 0 },
}

func roundF32(dst, src []float32) {
	src = src[:len(dst)]
	for i, v := range src {
		x := float64(v)
		dst[i] = float32(math.RoundToEven(x))
	}
}

func roundF64(dst, src []float64) {
	src = src[:len(dst)]
	for i, x := range src {
		dst[i] = math.RoundToEven(x)
	}
}

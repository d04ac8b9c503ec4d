package std

import (
	"math"

	"github.com/optnet-go/optnet/runtime"
)

// Ceil: y = ⌈x⌉ elementwise (opset 1; 6 dropped consumed_inputs, 13 added
// bfloat16).

func init() {
	register(&runtime.Op{Type: "Ceil", Since: 1, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1}, Build: fixed(ceilKernel)})
}

var ceilKernel = &ewUnaryGradKernel{
	ewUnaryKernel: ewUnaryKernel{name: "Ceil", fns: ewUnaryFns{f32: ceilF32, f64: ceilF64, grain: ewGrainCheap}},
	// The derivative is zero almost everywhere.
	deriv: func(_, _ float64) float64 { return 0 },
}

func ceilF32(dst, src []float32) {
	src = src[:len(dst)]
	for i, v := range src {
		x := float64(v)
		dst[i] = float32(math.Ceil(x))
	}
}

func ceilF64(dst, src []float64) {
	src = src[:len(dst)]
	for i, x := range src {
		dst[i] = math.Ceil(x)
	}
}

package std

import (
	"math"

	"github.com/optnet-go/optnet/runtime"
)

// Floor: y = ⌊x⌋ elementwise (opset 1; 6 dropped consumed_inputs, 13 added
// bfloat16).

func init() {
	register(&runtime.Op{Type: "Floor", Since: 1, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1}, Build: fixed(floorKernel)})
}

var floorKernel = &ewUnaryGradKernel{
	ewUnaryKernel: ewUnaryKernel{name: "Floor", fns: ewUnaryFns{f32: floorF32, f64: floorF64, grain: ewGrainCheap}},
	// The derivative is zero almost everywhere.
	deriv: func(_, _ float64) float64 { return 0 },
}

func floorF32(dst, src []float32) {
	src = src[:len(dst)]
	for i, v := range src {
		x := float64(v)
		dst[i] = float32(math.Floor(x))
	}
}

func floorF64(dst, src []float64) {
	src = src[:len(dst)]
	for i, x := range src {
		dst[i] = math.Floor(x)
	}
}

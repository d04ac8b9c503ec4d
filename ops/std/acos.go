package std

import (
	"math"

	"github.com/optnet-go/optnet/runtime"
)

// Acos: y = arccos x elementwise (opset 7); NaN outside [-1, 1].

func init() {
	register(&runtime.Op{Type: "Acos", Since: 7, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1}, Build: fixed(acosKernel)})
}

var acosKernel = &ewUnaryGradKernel{
	ewUnaryKernel: ewUnaryKernel{name: "Acos", fns: ewUnaryFns{f32: acosF32, f64: acosF64, grain: ewGrainMath}},
	deriv:         func(x, _ float64) float64 { return -1 / math.Sqrt(1-x*x) },
}

func acosF32(dst, src []float32) {
	src = src[:len(dst)]
	for i, v := range src {
		x := float64(v)
		dst[i] = float32(math.Acos(x))
	}
}

func acosF64(dst, src []float64) {
	src = src[:len(dst)]
	for i, x := range src {
		dst[i] = math.Acos(x)
	}
}

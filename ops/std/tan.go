package std

import (
	"math"

	"github.com/optnet-go/optnet/runtime"
)

// Tan: y = tan x elementwise (opset 7).

func init() {
	register(&runtime.Op{Type: "Tan", Since: 7, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1}, Build: fixed(tanKernel)})
}

var tanKernel = &ewUnaryGradKernel{
	ewUnaryKernel: ewUnaryKernel{name: "Tan", fns: ewUnaryFns{f32: tanF32, f64: tanF64, grain: ewGrainMath}},
	deriv:         func(_, y float64) float64 { return 1 + y*y },
}

func tanF32(dst, src []float32) {
	src = src[:len(dst)]
	for i, v := range src {
		x := float64(v)
		dst[i] = float32(math.Tan(x))
	}
}

func tanF64(dst, src []float64) {
	src = src[:len(dst)]
	for i, x := range src {
		dst[i] = math.Tan(x)
	}
}

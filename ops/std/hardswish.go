package std

import (
	"github.com/optnet-go/optnet/runtime"
)

// HardSwish: y = x * max(0, min(1, x/6 + 1/2)) elementwise (opset 14).

func init() {
	register(&runtime.Op{Type: "HardSwish", Since: 14, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1}, Build: fixed(hardSwishKernel)})
}

var hardSwishKernel = &ewUnaryGradKernel{
	ewUnaryKernel: ewUnaryKernel{name: "HardSwish", fns: ewUnaryFns{
		f32: hardSwishF32, f64: hardSwishF64, grain: ewGrainCheap,
	}},
	// 0 below -3, 1 above 3, x/3 + 1/2 between.
	deriv: func(x, _ float64) float64 {
		switch {
		case x <= -3:
			return 0
		case x >= 3:
			return 1
		}
		return x/3 + 0.5
	},
}

func hardSwishF32(dst, src []float32) {
	src = src[:len(dst)]
	for i, v := range src {
		dst[i] = v * max(0, min(1, v/6+0.5))
	}
}

func hardSwishF64(dst, src []float64) {
	src = src[:len(dst)]
	for i, v := range src {
		dst[i] = v * max(0, min(1, v/6+0.5))
	}
}

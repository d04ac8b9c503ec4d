package std

import (
	"github.com/optnet-go/optnet/runtime"
)

// HardSigmoid: y = max(0, min(1, alpha*x + beta)) (attributes alpha = 0.2,
// beta = 0.5 by default) elementwise (opset 1; 6 dropped consumed_inputs).

func init() {
	register(&runtime.Op{Type: "HardSigmoid", Since: 1, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1}, Build: buildHardSigmoid})
}

func buildHardSigmoid(b *runtime.BuildContext) (runtime.Kernel, error) {
	a32, b32 := b.Float("alpha", 0.2), b.Float("beta", 0.5)
	a64, b64 := float64(a32), float64(b32)
	return &ewUnaryGradKernel{
		ewUnaryKernel: ewUnaryKernel{name: "HardSigmoid", fns: ewUnaryFns{
			f32: func(dst, src []float32) {
				src = src[:len(dst)]
				for i, v := range src {
					dst[i] = max(0, min(1, a32*v+b32))
				}
			},
			f64: func(dst, src []float64) {
				src = src[:len(dst)]
				for i, v := range src {
					dst[i] = max(0, min(1, a64*v+b64))
				}
			},
			grain: ewGrainCheap,
		}},
		// alpha inside the linear part, 0 where the output is clamped.
		deriv: func(x, _ float64) float64 {
			if t := a64*x + b64; t > 0 && t < 1 {
				return a64
			}
			return 0
		},
	}, b.Err()
}

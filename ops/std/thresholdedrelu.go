package std

import (
	"github.com/optnet-go/optnet/runtime"
)

// ThresholdedRelu: y = x for x > alpha, else 0 (attribute alpha, default 1)
// elementwise (opset 10).

func init() {
	register(&runtime.Op{Type: "ThresholdedRelu", Since: 10, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1}, Build: buildThresholdedRelu})
}

func buildThresholdedRelu(b *runtime.BuildContext) (runtime.Kernel, error) {
	a32 := b.Float("alpha", 1)
	a64 := float64(a32)
	return &ewUnaryGradKernel{
		ewUnaryKernel: ewUnaryKernel{name: "ThresholdedRelu", fns: ewUnaryFns{
			f32: func(dst, src []float32) {
				src = src[:len(dst)]
				for i, v := range src {
					if !(v > a32) {
						v = 0
					}
					dst[i] = v
				}
			},
			f64: func(dst, src []float64) {
				src = src[:len(dst)]
				for i, v := range src {
					if !(v > a64) {
						v = 0
					}
					dst[i] = v
				}
			},
			grain: ewGrainCheap,
		}},
		deriv: func(x, _ float64) float64 {
			if x > a64 {
				return 1
			}
			return 0
		},
	}, b.Err()
}

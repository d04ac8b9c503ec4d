package std

import (
	"github.com/optnet-go/optnet/runtime"
)

// LeakyRelu: y = x for x >= 0, alpha*x for x < 0 (attribute alpha, default
// 0.01) elementwise (opset 1; 6 dropped consumed_inputs, 16 added
// bfloat16).

func init() {
	register(&runtime.Op{Type: "LeakyRelu", Since: 1, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1}, Build: buildLeakyRelu})
}

func buildLeakyRelu(b *runtime.BuildContext) (runtime.Kernel, error) {
	a32 := b.Float("alpha", 0.01)
	a64 := float64(a32)
	return &ewUnaryGradKernel{
		ewUnaryKernel: ewUnaryKernel{name: "LeakyRelu", fns: ewUnaryFns{
			f32: func(dst, src []float32) {
				src = src[:len(dst)]
				for i, v := range src {
					if v < 0 {
						v *= a32
					}
					dst[i] = v
				}
			},
			f64: func(dst, src []float64) {
				src = src[:len(dst)]
				for i, v := range src {
					if v < 0 {
						v *= a64
					}
					dst[i] = v
				}
			},
			grain: ewGrainCheap,
		}},
		deriv: func(x, _ float64) float64 {
			if x < 0 {
				return a64
			}
			return 1
		},
	}, b.Err()
}

package std

import (
	"math"

	"github.com/optnet-go/optnet/runtime"
)

// Elu: y = x for x >= 0, alpha*(e^x - 1) for x < 0 (attribute alpha,
// default 1) elementwise (opset 1; 6 dropped consumed_inputs).

func init() {
	register(&runtime.Op{Type: "Elu", Since: 1, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1}, Build: buildElu})
}

func buildElu(b *runtime.BuildContext) (runtime.Kernel, error) {
	alpha := float64(b.Float("alpha", 1))
	return &ewUnaryGradKernel{
		ewUnaryKernel: ewUnaryKernel{name: "Elu", fns: ewUnaryFns{
			f32: func(dst, src []float32) {
				src = src[:len(dst)]
				for i, v := range src {
					if v < 0 {
						v = float32(alpha * math.Expm1(float64(v)))
					}
					dst[i] = v
				}
			},
			f64: func(dst, src []float64) {
				src = src[:len(dst)]
				for i, v := range src {
					if v < 0 {
						v = alpha * math.Expm1(v)
					}
					dst[i] = v
				}
			},
			grain: ewGrainMath,
		}},
		// dy/dx = 1 for x >= 0, alpha*e^x for x < 0.
		deriv: func(x, _ float64) float64 {
			if x < 0 {
				return alpha * math.Exp(x)
			}
			return 1
		},
	}, b.Err()
}

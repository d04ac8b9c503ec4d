package std

import (
	"math"

	"github.com/optnet-go/optnet/runtime"
)

// Selu: y = gamma*x for x > 0, gamma*alpha*(e^x - 1) for x <= 0
// (attributes alpha ≈ 1.6733 and gamma ≈ 1.0507 by default) elementwise
// (opset 1; 6 dropped consumed_inputs).

func init() {
	register(&runtime.Op{Type: "Selu", Since: 1, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1}, Build: buildSelu})
}

func buildSelu(b *runtime.BuildContext) (runtime.Kernel, error) {
	alpha := float64(b.Float("alpha", 1.67326319217681884765625))
	gamma := float64(b.Float("gamma", 1.05070102214813232421875))
	ga := gamma * alpha
	f := func(x float64) float64 {
		if x > 0 {
			return gamma * x
		}
		return ga * math.Expm1(x)
	}
	return &ewUnaryGradKernel{
		ewUnaryKernel: ewUnaryKernel{name: "Selu", fns: ewUnaryFns{
			f32: func(dst, src []float32) {
				src = src[:len(dst)]
				for i, v := range src {
					x := float64(v)
					if x > 0 {
						x *= gamma
					} else {
						x = ga * math.Expm1(x)
					}
					dst[i] = float32(x)
				}
			},
			f64:   ewChunk(f),
			grain: ewGrainMath,
		}},
		deriv: func(x, _ float64) float64 {
			if x > 0 {
				return gamma
			}
			return ga * math.Exp(x)
		},
	}, b.Err()
}

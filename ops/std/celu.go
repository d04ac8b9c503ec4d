package std

import (
	"math"

	"github.com/optnet-go/optnet/runtime"
)

// Celu: y = max(0, x) + min(0, alpha*(e^(x/alpha) - 1)) (attribute alpha,
// default 1) elementwise (opset 12).

func init() {
	register(&runtime.Op{Type: "Celu", Since: 12, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1}, Build: buildCelu})
}

func buildCelu(b *runtime.BuildContext) (runtime.Kernel, error) {
	alpha := float64(b.Float("alpha", 1))
	if alpha == 0 {
		return nil, b.Errorf("Celu: alpha must not be 0")
	}
	f := func(x float64) float64 {
		if x > 0 {
			return x
		}
		return alpha * math.Expm1(x/alpha)
	}
	return &ewUnaryGradKernel{
		ewUnaryKernel: ewUnaryKernel{name: "Celu", fns: ewFloatFns(f, ewGrainMath)},
		deriv: func(x, _ float64) float64 {
			if x > 0 {
				return 1
			}
			return math.Exp(x / alpha)
		},
	}, b.Err()
}

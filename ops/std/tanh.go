package std

import (
	"math"

	"github.com/optnet-go/optnet/runtime"
)

// Tanh: y = tanh x elementwise (opset 1; 6 dropped consumed_inputs, 13 added
// bfloat16).

func init() {
	register(&runtime.Op{Type: "Tanh", Since: 1, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1}, Build: fixed(tanhKernel)})
}

var tanhKernel = &ewUnaryGradKernel{
	ewUnaryKernel: ewUnaryKernel{name: "Tanh", fns: ewUnaryFns{f32: tanhF32, f64: tanhF64, grain: ewGrainMath}},
	deriv:         func(_, y float64) float64 { return 1 - y*y },
}

func tanhF32(dst, src []float32) {
	src = src[:len(dst)]
	for i, v := range src {
		dst[i] = tanh32(v)
	}
}

func tanhF64(dst, src []float64) {
	src = src[:len(dst)]
	for i, x := range src {
		dst[i] = math.Tanh(x)
	}
}

// tanh32 is tanh for float32 results, through one float64 exponential:
// (e^2x - 1)/(e^2x + 1) loses at most ~log2(1/|x|) of float64's 53 bits
// to cancellation, which leaves float32's 24 for |x| >= 2^-20; below that
// tanh x = x(1 - x²/3) to far beyond float32 precision. tanh rounds to ±1
// in float32 from |x| = 9.1 on.
func tanh32(v float32) float32 {
	x := float64(v)
	a := math.Abs(x)
	switch {
	case a < 1.0/(1<<20):
		return float32(x * (1 - x*x/3))
	case a < 9.1:
		e := math.Exp(2 * a)
		return float32(math.Copysign((e-1)/(e+1), x))
	case a >= 9.1:
		return float32(math.Copysign(1, x))
	}
	return v // NaN
}

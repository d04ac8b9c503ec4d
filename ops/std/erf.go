package std

import (
	"math"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// Erf: the error function elementwise (opset 9; 13 added bfloat16). Integer
// inputs are computed in float64 and truncated back.

func init() {
	register(&runtime.Op{Type: "Erf", Since: 9, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1}, Build: fixed(erfKernel)})
}

var erfKernel = &ewUnaryGradKernel{
	ewUnaryKernel: ewUnaryKernel{name: "Erf", fns: ewUnaryFns{f32: erfF32, f64: erfF64, other: erfOther, grain: ewGrainMath}},
	deriv:         func(x, _ float64) float64 { return 2 / math.SqrtPi * math.Exp(-x*x) },
}

func erfF32(dst, src []float32) {
	src = src[:len(dst)]
	for i, v := range src {
		x := float64(v)
		dst[i] = float32(math.Erf(x))
	}
}

func erfF64(dst, src []float64) {
	src = src[:len(dst)]
	for i, x := range src {
		dst[i] = math.Erf(x)
	}
}

// erfOther computes integer inputs in float64.
func erfOther(x *tensor.Tensor) (*tensor.Tensor, bool) {
	if !x.DType().IsInt() {
		return nil, false
	}
	f, err := tensor.Convert(x, tensor.Float64)
	if err != nil {
		return nil, false
	}
	y, err := tensor.Convert(ewMap(f, ewGrainMath, erfF64), x.DType())
	return y, err == nil
}

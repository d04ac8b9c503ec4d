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
		dst[i] = erf32(v)
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

// erf32 is erf for float32 results: piecewise polynomials evaluated in
// float64 (fitted for this package to erf on [0, 1), [1, 2.2), [2.2, 4);
// max error below 4e-10, far under a float32 ulp), cheaper than
// math.Erf's full float64 precision. erf(x) rounds to ±1 in float32 from
// |x| = 4 on.
func erf32(v float32) float32 {
	x := float64(v)
	a := math.Abs(x)
	var r float64
	switch {
	case a < 1:
		u := x * x
		return float32(x * (1.1283791670623602 + u*(-0.3761263847599116+u*(0.11283782622061815+u*(-0.0268654383105724+
			u*(0.005221053412845443+u*(-0.0008484396556613368+u*(0.00011268253946307808+u*-9.673590980287633e-06))))))))
	case a < 2.2:
		t := (a - 1.6) / 0.6
		r = 0.9763483832640119 + t*(0.052337435170521+t*(-0.05024393194134464+t*(0.025875628220847057+t*(-0.006391097353858655+
			t*(-0.0003404147777366207+t*(0.0007227657583267483+t*(-0.0001689786423719529+t*(-1.575478363412838e-05+
				t*(1.5057148653956305e-05+t*(-1.3916962753589642e-06+t*-5.467446378217311e-07))))))))))
	case a < 4:
		t := (a - 3.1) / 0.9
		r = 0.9999883510426287 + t*(6.809693758172349e-05+t*(-0.00018996866214263434+t*(0.00033499595560398146+
			t*(-0.00041627971233707906+t*(0.0003828799759390304+t*(-0.00026509479018741063+t*(0.00013834710569417057+
				t*(-5.253097637594883e-05+t*(9.46910359947082e-06+t*(4.091956499982909e-06+t*-2.373641269722819e-06))))))))))
	case a >= 4:
		r = 1
	default: // NaN
		return v
	}
	return float32(math.Copysign(r, x))
}

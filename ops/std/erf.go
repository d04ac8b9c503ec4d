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

// erf32 is erf for float32 results. erf(x)/x is smooth and even, so on
// each half-unit interval of |x| below 4 it is a degree-7 polynomial in the
// interval's local coordinate (coefficients fitted for this package in
// float64; relative error below 1e-9, far under a float32 ulp); erf(x)
// rounds to ±1 in float32 from |x| = 4 on. The table lookup replaces
// math.Erf's branches, and Estrin's scheme shortens the dependency chain.
func erf32(v float32) float32 {
	x := float64(v)
	a := math.Abs(x)
	if !(a < 4) {
		if a >= 4 {
			return float32(math.Copysign(1, x))
		}
		return v // NaN
	}
	i := int(a * 2)
	return float32(x * ewPoly8(&erf32Tab[i], 4*a-float64(2*i+1)))
}

// erf32Tab[i] approximates erf(x)/x for |x| in [i/2, (i+1)/2), as a
// polynomial in t = 4|x| - (2i+1) ∈ [-1, 1), lowest degree first.
var erf32Tab = [8][8]float64{
	{1.105305560317131, -0.04529143106776849, -0.020959440389434016, 0.0016362744968223134, 0.00034774125774151085, -3.5079710646710485e-05, -4.400178946834443e-06, 5.305721921044996e-07},
	{0.948207511972978, -0.10175881407257471, -0.006263601060089539, 0.0026459617044745382, -9.708957429199214e-05, -3.693799030212408e-05, 3.453381886971778e-06, 3.0902486581714826e-07},
	{0.738320102655667, -0.10035979616619449, 0.0052893874431922125, 0.0010363214245105385, -0.00022650406193285068, 8.435747863224529e-06, 2.459314179772764e-06, -3.0867083278119744e-07},
	{0.5638123834053208, -0.07300534106219675, 0.007130901952026794, -0.00021372420286610818, -7.686284532117802e-05, 1.4674936852833293e-05, -8.075801888648512e-07, -9.22392031806424e-08},
	{0.4437943481804683, -0.048516892105985435, 0.004944370954229803, -0.0003985098908843397, 1.1147482829578914e-05, 3.38817362801836e-06, -6.907697667146147e-07, 5.7167581263632693e-08},
	{0.363599773865814, -0.03300122696788861, 0.0029634685959371364, -0.0002537222079053722, 1.844075175216719e-05, -6.977336970521351e-07, -8.868054446875347e-08, 2.2229672928373193e-08},
	{0.30769098376359627, -0.023666291904917022, 0.0018186595688212605, -0.0001389554756223072, 1.0344997153295926e-05, -7.015443997146616e-07, 3.329128130199663e-08, 7.077551590037041e-10},
	{0.26666663633915083, -0.017777716993962685, 0.0011851260513588322, -7.897519418325047e-05, 5.250555092674104e-06, -3.4526263621508257e-07, 2.18272292474295e-08, -1.1766243997407748e-09},
}

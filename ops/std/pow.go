package std

import (
	"math"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// Pow: y = a^b elementwise with NumPy broadcasting (opset 1 with the legacy
// broadcast/axis attributes; 7 NumPy broadcasting; 12 lets the exponent
// have its own numeric type and the base be int32/int64; 13 and 15 added
// bfloat16). The output has the base's type. Floats follow math.Pow;
// an integer base with an integer exponent is computed exactly (wrapping
// on overflow; a negative exponent gives 1/a^|b| truncated toward zero, and
// 0 for a zero base); an integer base with a float exponent is computed in
// float64 and truncated toward zero.

func init() {
	register(&runtime.Op{Type: "Pow", Since: 1, Inputs: [2]int{2, 2}, Outputs: [2]int{1, 1}, Build: buildPow})
}

func buildPow(b *runtime.BuildContext) (runtime.Kernel, error) {
	return &powKernel{leg: ewReadLegacy(b)}, b.Err()
}

type powKernel struct{ leg ewLegacy }

func (k *powKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if err := ewCheckOut(rc, in); err != nil {
		return nil, err
	}
	a, b := in[0], in[1]
	if !a.DType().IsNumeric() || !b.DType().IsNumeric() {
		return nil, errDType("Pow of %v and %v", a.DType(), b.DType())
	}
	b, err := k.leg.apply(a, b)
	if err != nil {
		return nil, err
	}
	switch {
	case a.DType() == tensor.Float32 && b.DType() == tensor.Float32:
		if b.Len() == 1 && tensor.Data[float32](b)[0] == 2 && b.Rank() <= a.Rank() && a.Len() > 0 {
			// x^2 is the common case (variance, L2); exact in float64.
			return []*tensor.Tensor{ewMap(a, ewGrainCheap, func(dst, src []float32) {
				src = src[:len(dst)]
				for i, v := range src {
					x := float64(v)
					dst[i] = float32(x * x)
				}
			})}, nil
		}
		return out1(applyRows(a, b, powRow32))
	case a.DType() == tensor.Float64 && b.DType() == tensor.Float64:
		return out1(applyRows(a, b, powRow64))
	case a.DType().IsFloat():
		af, err := tensor.Convert(a, tensor.Float64)
		if err != nil {
			return nil, err
		}
		bf, err := tensor.Convert(b, tensor.Float64)
		if err != nil {
			return nil, err
		}
		r, err := applyRows(af, bf, powRow64)
		if err != nil {
			return nil, err
		}
		return out1(tensor.Convert(r, a.DType()))
	case a.DType().IsInt() && b.DType().IsInt():
		ai, err := tensor.Convert(a, tensor.Int64)
		if err != nil {
			return nil, err
		}
		bi, err := tensor.Convert(b, tensor.Int64)
		if err != nil {
			return nil, err
		}
		r, err := map2(ai, bi, powInt)
		if err != nil {
			return nil, err
		}
		return out1(tensor.Convert(r, a.DType()))
	default: // integer base, float exponent
		af, err := tensor.Convert(a, tensor.Float64)
		if err != nil {
			return nil, err
		}
		bf, err := tensor.Convert(b, tensor.Float64)
		if err != nil {
			return nil, err
		}
		r, err := map2(af, bf, func(x, y float64) int64 { return ewTruncInt64(math.Pow(x, y)) })
		if err != nil {
			return nil, err
		}
		return out1(tensor.Convert(r, a.DType()))
	}
}

func powRow32(dst, a []float32, sa int, b []float32, sb int) {
	ia, ib := 0, 0
	for i := range dst {
		dst[i] = float32(math.Pow(float64(a[ia]), float64(b[ib])))
		ia += sa
		ib += sb
	}
}

func powRow64(dst, a []float64, sa int, b []float64, sb int) {
	ia, ib := 0, 0
	for i := range dst {
		dst[i] = math.Pow(a[ia], b[ib])
		ia += sa
		ib += sb
	}
}

// powInt is a^b in int64 by repeated squaring (wrapping on overflow).
func powInt(a, b int64) int64 {
	if b < 0 {
		switch a {
		case 1:
			return 1
		case -1:
			if b%2 == 0 {
				return 1
			}
			return -1
		}
		return 0
	}
	r := int64(1)
	for b > 0 {
		if b&1 == 1 {
			r *= a
		}
		a *= a
		b >>= 1
	}
	return r
}

// InferShapes: the broadcast shape, with the base's dtype.
func (k *powKernel) InferShapes(in []runtime.Fact) ([]runtime.Fact, error) {
	if k.leg.on {
		f := in[0]
		f.Value = nil
		return []runtime.Fact{f}, nil
	}
	return broadcastFacts(in, in[0].DType)
}

// Backward: da = b*a^(b-1); db = y*ln(a) for a > 0, 0 for a = 0 (the limit
// for b > 0), NaN for a < 0. Both are summed over broadcast axes.
func (k *powKernel) Backward(rc *runtime.RunContext, f *runtime.Forward, g []*tensor.Tensor) ([]*tensor.Tensor, error) {
	out := make([]*tensor.Tensor, 2)
	a, b, gy := f.Inputs[0], f.Inputs[1], g[0]
	if gy == nil {
		return out, nil
	}
	if err := ewFloatGrad("Pow", a, gy); err != nil {
		return nil, err
	}
	bl, err := k.leg.apply(a, b)
	if err != nil {
		return nil, err
	}
	var da, db func(a, b, y float64) float64
	if f.NeedGrad[0] {
		da = func(x, e, _ float64) float64 {
			if e == 0 {
				return 0
			}
			return e * math.Pow(x, e-1)
		}
	}
	if f.NeedGrad[1] {
		if err := ewFloatGrad("Pow", b); err != nil {
			return nil, err
		}
		db = func(x, _, y float64) float64 {
			switch {
			case x > 0:
				return y * math.Log(x)
			case x == 0:
				return 0
			}
			return math.NaN()
		}
	}
	out[0], out[1], err = ewBinaryGrads(a, b, bl.Shape(), f.Outputs[0], gy, da, db)
	return out, err
}

package std

import (
	"math"

	"github.com/optnet-go/optnet/runtime/tensor"
)

// Helpers of the quantized ops (QuantizeLinear, DequantizeLinear,
// DynamicQuantizeLinear, MatMulInteger, ConvInteger, QLinearMatMul,
// QLinearConv): 8-bit ranges, saturating round-half-to-even, and integer
// widening with zero points.

// qRange is the value range of a quantized dtype.
func qRange(dt tensor.DType) (lo, hi float64, err error) {
	switch dt {
	case tensor.Uint8:
		return 0, 255, nil
	case tensor.Int8:
		return -128, 127, nil
	case tensor.Uint16:
		return 0, 65535, nil
	case tensor.Int16:
		return -32768, 32767, nil
	case tensor.Int32:
		return math.MinInt32, math.MaxInt32, nil
	}
	return 0, 0, errDType("quantized values must be int8 or uint8, got %v", dt)
}

// qSaturate rounds v half to even and clamps it to [lo, hi] (NaN maps to
// 0 clamped).
func qSaturate(v, lo, hi float64) float64 {
	if v != v {
		v = 0
	}
	return math.Max(lo, math.Min(hi, math.RoundToEven(v)))
}

// qRoundEven rounds half to even; NaN stays NaN.
func qRoundEven(v float64) float64 { return math.RoundToEven(v) }

// qInt32s returns the values of an 8/16/32-bit integer tensor as int32.
func qInt32s(t *tensor.Tensor) ([]int32, error) {
	switch d := t.Raw().(type) {
	case []uint8:
		out := make([]int32, len(d))
		for i, v := range d {
			out[i] = int32(v)
		}
		return out, nil
	case []int8:
		out := make([]int32, len(d))
		for i, v := range d {
			out[i] = int32(v)
		}
		return out, nil
	case []int32:
		return d, nil
	case []uint16:
		out := make([]int32, len(d))
		for i, v := range d {
			out[i] = int32(v)
		}
		return out, nil
	case []int16:
		out := make([]int32, len(d))
		for i, v := range d {
			out[i] = int32(v)
		}
		return out, nil
	}
	return nil, errDType("expected an 8-bit integer tensor, got %v", t.DType())
}

// qFromInt32 stores int32 values (already in range) as dtype dt.
func qFromInt32(shape []int, v []int32, dt tensor.DType) (*tensor.Tensor, error) {
	switch dt {
	case tensor.Uint8:
		d := make([]uint8, len(v))
		for i, x := range v {
			d[i] = uint8(x)
		}
		return tensor.FromSlice(shape, d)
	case tensor.Int8:
		d := make([]int8, len(v))
		for i, x := range v {
			d[i] = int8(x)
		}
		return tensor.FromSlice(shape, d)
	case tensor.Uint16:
		d := make([]uint16, len(v))
		for i, x := range v {
			d[i] = uint16(x)
		}
		return tensor.FromSlice(shape, d)
	case tensor.Int16:
		d := make([]int16, len(v))
		for i, x := range v {
			d[i] = int16(x)
		}
		return tensor.FromSlice(shape, d)
	case tensor.Int32:
		return tensor.FromSlice(shape, v)
	}
	return nil, errDType("cannot store quantized values as %v", dt)
}

// qIs8bit reports whether dt is int8 or uint8.
func qIs8bit(dt tensor.DType) bool { return dt == tensor.Int8 || dt == tensor.Uint8 }

// axisParam returns, for a per-tensor (one value) or per-axis (1-D of
// x.shape[axis] values) parameter, the value index of each element of x:
// idx(i) = (i / inner) % n, with n = 1 when per-tensor.
type qAxisParam struct {
	n, inner int
}

func newQAxisParam(p *tensor.Tensor, xs []int, axis int64, name string) (qAxisParam, error) {
	if p.Len() == 1 && p.Rank() <= 1 {
		return qAxisParam{n: 1, inner: 1}, nil
	}
	if p.Rank() != 1 {
		return qAxisParam{}, errShape("%s %v must be a scalar or 1-D", name, p.Shape())
	}
	a, err := normAxis(axis, len(xs))
	if err != nil {
		return qAxisParam{}, err
	}
	if p.Len() != xs[a] {
		return qAxisParam{}, errShape("%s has %d values for axis %d of size %d", name, p.Len(), a, xs[a])
	}
	return qAxisParam{n: xs[a], inner: nnProd(xs[a+1:])}, nil
}

func (a qAxisParam) at(i int) int {
	if a.n == 1 {
		return 0
	}
	return (i / a.inner) % a.n
}

// qScaleValues returns a float scale tensor's values as float64s.
func qScaleValues(t *tensor.Tensor, name string) ([]float64, error) {
	if !t.DType().IsFloat() {
		return nil, errDType("%s must be a float tensor, got %v", name, t.DType())
	}
	v, err := tensor.Float64s(t)
	if err != nil {
		return nil, err
	}
	return v, nil
}

// qWidenMinus converts an 8-bit tensor to int32 and subtracts a zero point
// that is a scalar, or (per row or per column) broadcasts against x as
// zpShape; nil zp is 0.
func qWidenMinus(x, zp *tensor.Tensor, zpShape []int) (*tensor.Tensor, error) {
	xv, err := qInt32s(x)
	if err != nil {
		return nil, err
	}
	out := make([]int32, len(xv))
	copy(out, xv)
	res := tensor.MustFromSlice(x.Shape(), out)
	if zp == nil {
		return res, nil
	}
	if zp.DType() != x.DType() {
		return nil, errDType("zero point %v does not match %v", zp.DType(), x.DType())
	}
	zv, err := qInt32s(zp)
	if err != nil {
		return nil, err
	}
	if len(zv) == 1 {
		for i := range out {
			out[i] -= zv[0]
		}
		return res, nil
	}
	z, err := tensor.FromSlice(zpShape, zv)
	if err != nil {
		return nil, err
	}
	bs, err := tensor.BroadcastShape(x.Shape(), zpShape)
	if err != nil || !tensor.SameShape(bs, x.Shape()) {
		return nil, errShape("zero point %v does not broadcast to %v", zp.Shape(), x.Shape())
	}
	err = tensor.Map2(out, x.Shape(), xv, x.Shape(), tensor.Data[int32](z), z.Shape(), func(a, b int32) int32 { return a - b })
	return res, err
}

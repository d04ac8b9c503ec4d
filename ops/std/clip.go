package std

import (
	"math"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// Clip: y = min(max(x, min), max) elementwise (opset 1 and 6: float
// attributes min and max, defaulting to no bound; 11: optional scalar
// inputs min and max of x's type instead; 12 added the integer types, 13
// bfloat16). When min > max every element becomes max. NaN stays NaN.

func init() {
	register(
		&runtime.Op{Type: "Clip", Since: 1, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1}, Build: buildClipAttrs},
		&runtime.Op{Type: "Clip", Since: 11, Inputs: [2]int{1, 3}, Outputs: [2]int{1, 1}, Build: buildClip},
	)
}

func buildClipAttrs(b *runtime.BuildContext) (runtime.Kernel, error) {
	k := &clipKernel{attrs: true, lo: math.Inf(-1), hi: math.Inf(1)}
	if b.HasAttr("min") {
		k.lo = float64(b.Float("min", 0))
	}
	if b.HasAttr("max") {
		k.hi = float64(b.Float("max", 0))
	}
	return k, b.Err()
}

func buildClip(b *runtime.BuildContext) (runtime.Kernel, error) { return &clipKernel{}, nil }

// clipKernel clips to attribute bounds (attrs) or to the optional inputs.
type clipKernel struct {
	attrs  bool
	lo, hi float64 // the attribute bounds
}

func (k *clipKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	x := in[0]
	var lo, hi *tensor.Tensor
	if len(in) > 1 {
		lo = in[1]
	}
	if len(in) > 2 {
		hi = in[2]
	}
	for _, t := range []*tensor.Tensor{lo, hi} {
		if t == nil {
			continue
		}
		if t.DType() != x.DType() {
			return nil, errDType("Clip bound %v for input %v", t.DType(), x.DType())
		}
		if t.Len() != 1 {
			return nil, errShape("Clip bounds must be scalars, got shape %s", tensor.ShapeString(t.Shape()))
		}
	}
	if k.attrs {
		switch x.DType() {
		case tensor.Float32:
			return out1(clipT(x, float32(k.lo), float32(k.hi)), nil)
		case tensor.Float64:
			return out1(clipT(x, k.lo, k.hi), nil)
		case tensor.Float16, tensor.BFloat16:
			x32, err := tensor.Convert(x, tensor.Float32)
			if err != nil {
				return nil, err
			}
			return out1(tensor.Convert(clipT(x32, float32(k.lo), float32(k.hi)), x.DType()))
		}
		return nil, errDType("Clip does not support %v", x.DType())
	}
	switch x.DType() {
	case tensor.Float32:
		return out1(clipInputs[float32](x, lo, hi), nil)
	case tensor.Float64:
		return out1(clipInputs[float64](x, lo, hi), nil)
	case tensor.Float16, tensor.BFloat16:
		conv := func(t *tensor.Tensor) (*tensor.Tensor, error) {
			if t == nil {
				return nil, nil
			}
			return tensor.Convert(t, tensor.Float32)
		}
		x32, err := conv(x)
		if err != nil {
			return nil, err
		}
		lo32, err := conv(lo)
		if err != nil {
			return nil, err
		}
		hi32, err := conv(hi)
		if err != nil {
			return nil, err
		}
		return out1(tensor.Convert(clipInputs[float32](x32, lo32, hi32), x.DType()))
	case tensor.Int8:
		return out1(clipInputs[int8](x, lo, hi), nil)
	case tensor.Int16:
		return out1(clipInputs[int16](x, lo, hi), nil)
	case tensor.Int32:
		return out1(clipInputs[int32](x, lo, hi), nil)
	case tensor.Int64:
		return out1(clipInputs[int64](x, lo, hi), nil)
	case tensor.Uint8:
		return out1(clipInputs[uint8](x, lo, hi), nil)
	case tensor.Uint16:
		return out1(clipInputs[uint16](x, lo, hi), nil)
	case tensor.Uint32:
		return out1(clipInputs[uint32](x, lo, hi), nil)
	case tensor.Uint64:
		return out1(clipInputs[uint64](x, lo, hi), nil)
	}
	return nil, errDType("Clip does not support %v", x.DType())
}

// clipBounds returns the bounds the inputs give, the type's extremes where
// a bound is omitted.
func clipBounds[T tensor.Number](lo, hi *tensor.Tensor) (T, T) {
	l, h := ewLimits[T]()
	if lo != nil {
		l = tensor.Data[T](lo)[0]
	}
	if hi != nil {
		h = tensor.Data[T](hi)[0]
	}
	return l, h
}

func clipInputs[T tensor.Number](x, lo, hi *tensor.Tensor) *tensor.Tensor {
	l, h := clipBounds[T](lo, hi)
	return clipT(x, l, h)
}

func clipT[T tensor.Number](x *tensor.Tensor, lo, hi T) *tensor.Tensor {
	return ewMap(x, ewGrainCheap, func(dst, src []T) {
		src = src[:len(dst)]
		for i, v := range src {
			dst[i] = min(max(v, lo), hi)
		}
	})
}

// ewLimits returns the lowest and highest values of T (±Inf for floats).
func ewLimits[T tensor.Number]() (lo, hi T) {
	switch p := any(&lo).(type) {
	case *float32:
		*p = float32(math.Inf(-1))
		*any(&hi).(*float32) = float32(math.Inf(1))
	case *float64:
		*p = math.Inf(-1)
		*any(&hi).(*float64) = math.Inf(1)
	case *int8:
		*p, *any(&hi).(*int8) = math.MinInt8, math.MaxInt8
	case *int16:
		*p, *any(&hi).(*int16) = math.MinInt16, math.MaxInt16
	case *int32:
		*p, *any(&hi).(*int32) = math.MinInt32, math.MaxInt32
	case *int64:
		*p, *any(&hi).(*int64) = math.MinInt64, math.MaxInt64
	default: // unsigned: lo = 0, hi = all ones
		hi = 0
		hi--
	}
	return lo, hi
}

// InferShapes: same as the input.
func (k *clipKernel) InferShapes(in []runtime.Fact) ([]runtime.Fact, error) {
	return sameAsInput(0)(in)
}

// Backward passes the gradient where min <= x <= max; the bounds get no
// gradient.
func (k *clipKernel) Backward(rc *runtime.RunContext, f *runtime.Forward, g []*tensor.Tensor) ([]*tensor.Tensor, error) {
	out := make([]*tensor.Tensor, len(f.Inputs))
	x, gy := f.Inputs[0], g[0]
	if gy == nil || !f.NeedGrad[0] {
		return out, nil
	}
	if err := ewFloatGrad("Clip", x); err != nil {
		return nil, err
	}
	lo, hi := k.lo, k.hi
	if !k.attrs {
		lo, hi = math.Inf(-1), math.Inf(1)
		if len(f.Inputs) > 1 && f.Inputs[1] != nil {
			lo = ewFloat64s(f.Inputs[1])[0]
		}
		if len(f.Inputs) > 2 && f.Inputs[2] != nil {
			hi = ewFloat64s(f.Inputs[2])[0]
		}
	}
	var err error
	out[0], err = ewUnaryGrad("Clip", x, nil, gy, func(v, _ float64) float64 {
		if v >= lo && v <= hi {
			return 1
		}
		return 0
	})
	return out, err
}

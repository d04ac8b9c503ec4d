package std

import (
	"math"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// PRelu: y = x for x >= 0, slope*x for x < 0, elementwise (opset 1; 6
// dropped consumed_inputs; 7 made slope unidirectionally broadcastable to
// x, before which a 1-D slope of x's channel count applies along axis 1;
// 9 added int32/int64/uint32/uint64, 16 bfloat16).

func init() {
	register(&runtime.Op{Type: "PRelu", Since: 1, Inputs: [2]int{2, 2}, Outputs: [2]int{1, 1}, Build: buildPRelu})
}

func buildPRelu(b *runtime.BuildContext) (runtime.Kernel, error) {
	return &preluKernel{channelSlope: b.Version < 7}, nil
}

type preluKernel struct {
	channelSlope bool // opset < 7: a 1-D slope runs along axis 1
}

// slopeFor returns slope reshaped so it broadcasts to x's shape.
func (k *preluKernel) slopeFor(x, slope *tensor.Tensor) (*tensor.Tensor, error) {
	if k.channelSlope && slope.Rank() == 1 && x.Rank() >= 2 && slope.Len() == x.Dim(1) && slope.Len() != 1 {
		shape := make([]int, x.Rank()-1)
		for i := range shape {
			shape[i] = 1
		}
		shape[0] = slope.Len()
		return slope.Reshape(shape...)
	}
	bs, err := tensor.BroadcastShape(x.Shape(), slope.Shape())
	if err != nil || !tensor.SameShape(bs, x.Shape()) {
		return nil, errShape("PRelu slope %v does not broadcast to input %v", tensor.ShapeString(slope.Shape()), tensor.ShapeString(x.Shape()))
	}
	return slope, nil
}

func (k *preluKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	x := in[0]
	if x.DType() != in[1].DType() {
		return nil, errDType("PRelu of %v and slope %v", x.DType(), in[1].DType())
	}
	slope, err := k.slopeFor(x, in[1])
	if err != nil {
		return nil, err
	}
	switch x.DType() {
	case tensor.Float32:
		return out1(applyRows(x, slope, preluRow32))
	case tensor.Float64:
		return out1(applyRows(x, slope, preluRow[float64]))
	case tensor.Float16, tensor.BFloat16:
		return viaFloat32(x, slope, func(a, b *tensor.Tensor) (*tensor.Tensor, error) { return applyRows(a, b, preluRow32) })
	case tensor.Int8:
		return out1(applyRows(x, slope, preluRow[int8]))
	case tensor.Int16:
		return out1(applyRows(x, slope, preluRow[int16]))
	case tensor.Int32:
		return out1(applyRows(x, slope, preluRow[int32]))
	case tensor.Int64:
		return out1(applyRows(x, slope, preluRow[int64]))
	case tensor.Uint8, tensor.Uint16, tensor.Uint32, tensor.Uint64:
		return []*tensor.Tensor{x}, nil // never negative
	}
	return nil, errDType("PRelu does not support %v", x.DType())
}

func preluRow[T tensor.Number](dst, x []T, sx int, s []T, ss int) {
	ix, is := 0, 0
	for i := range dst {
		v := x[ix]
		if v < 0 {
			v *= s[is]
		}
		dst[i] = v
		ix += sx
		is += ss
	}
}

// preluRow32 is preluRow without branches: x times 1 or the slope, chosen
// by x's sign bit (-0 and negative NaN take the slope, which gives the
// same values).
func preluRow32(dst, x []float32, sx int, s []float32, ss int) {
	one := math.Float32bits(1)
	ix, is := 0, 0
	for i := range dst {
		v := x[ix]
		neg := uint32(int32(math.Float32bits(v)) >> 31)
		dst[i] = v * math.Float32frombits(one^((one^math.Float32bits(s[is]))&neg))
		ix += sx
		is += ss
	}
}

// InferShapes: the output looks like x.
func (k *preluKernel) InferShapes(in []runtime.Fact) ([]runtime.Fact, error) {
	return sameAsInput(0)(in)
}

// Backward: dx = g where x >= 0, g*slope where x < 0; dslope = g*x where
// x < 0, summed over the axes slope was broadcast along.
func (k *preluKernel) Backward(rc *runtime.RunContext, f *runtime.Forward, g []*tensor.Tensor) ([]*tensor.Tensor, error) {
	out := make([]*tensor.Tensor, 2)
	x, gy := f.Inputs[0], g[0]
	if gy == nil {
		return out, nil
	}
	if err := ewFloatGrad("PRelu", x, f.Inputs[1]); err != nil {
		return nil, err
	}
	slope, err := k.slopeFor(x, f.Inputs[1])
	if err != nil {
		return nil, err
	}
	var dx, ds func(a, b, y float64) float64
	if f.NeedGrad[0] {
		dx = func(a, b, _ float64) float64 {
			if a < 0 {
				return b
			}
			return 1
		}
	}
	if f.NeedGrad[1] {
		ds = func(a, _, _ float64) float64 { return min(a, 0) }
	}
	gx, gs, err := ewBinaryGrads(x, f.Inputs[1], slope.Shape(), nil, gy, dx, ds)
	if err != nil {
		return nil, err
	}
	out[0], out[1] = gx, gs
	return out, nil
}

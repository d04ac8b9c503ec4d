package std

import (
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// QuantizeLinear: y = saturate(round(x / y_scale) + y_zero_point), rounding
// half to even, in the dtype of y_zero_point (uint8 when omitted). Opset
// 10 takes a per-tensor scale; opset 13 allows a 1-D scale and zero point
// along "axis" (default 1).

func init() {
	register(
		&runtime.Op{Type: "QuantizeLinear", Since: 10, Inputs: [2]int{2, 3}, Outputs: [2]int{1, 1}, Build: buildQuantizeLinear},
		&runtime.Op{Type: "QuantizeLinear", Since: 13, Inputs: [2]int{2, 3}, Outputs: [2]int{1, 1}, Build: buildQuantizeLinear},
	)
}

type quantizeLinearKernel struct {
	axis    int64
	perAxis bool
}

func buildQuantizeLinear(b *runtime.BuildContext) (runtime.Kernel, error) {
	return &quantizeLinearKernel{axis: b.Int("axis", 1), perAxis: b.Version >= 13}, b.Err()
}

func (k *quantizeLinearKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	x, scale := in[0], in[1]
	var zp *tensor.Tensor
	if len(in) > 2 {
		zp = in[2]
	}
	outType := tensor.Uint8
	if zp != nil {
		outType = zp.DType()
	}
	lo, hi, err := qRange(outType)
	if err != nil || outType == tensor.Int32 {
		return nil, errDType("QuantizeLinear output must be int8 or uint8, got %v", outType)
	}
	if !x.DType().IsFloat() && x.DType() != tensor.Int32 {
		return nil, errDType("QuantizeLinear input must be float or int32, got %v", x.DType())
	}
	sv, err := qScaleValues(scale, "y_scale")
	if err != nil {
		return nil, err
	}
	if !k.perAxis && scale.Len() != 1 {
		return nil, errShape("QuantizeLinear-10 needs a scalar y_scale, got %v", scale.Shape())
	}
	ap, err := newQAxisParam(scale, x.Shape(), k.axis, "y_scale")
	if err != nil {
		return nil, err
	}
	zv := make([]int32, len(sv))
	if zp != nil {
		if zp.Len() != scale.Len() {
			return nil, errShape("y_zero_point %v does not match y_scale %v", zp.Shape(), scale.Shape())
		}
		if zv, err = qInt32s(zp); err != nil {
			return nil, err
		}
	}
	xv, err := tensor.Float64s(x)
	if err != nil {
		return nil, err
	}
	f32 := x.DType() != tensor.Float64
	out := make([]int32, len(xv))
	for i, v := range xv {
		j := ap.at(i)
		var q float64
		if f32 {
			// Divide in float32, as the reference does for float32 input.
			q = float64(float32(v) / float32(sv[j]))
		} else {
			q = v / sv[j]
		}
		out[i] = int32(qSaturate(qRoundEven(q)+float64(zv[j]), lo, hi))
	}
	return out1(qFromInt32(x.Shape(), out, outType))
}

// InferShapes: x's shape in the zero point's dtype.
func (k *quantizeLinearKernel) InferShapes(in []runtime.Fact) ([]runtime.Fact, error) {
	f := in[0]
	f.Value = nil
	f.DType = tensor.Uint8
	if len(in) > 2 && !in[2].Absent {
		f.DType = in[2].DType
	}
	return []runtime.Fact{f}, nil
}

package std

import (
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// DequantizeLinear: y = (x - x_zero_point) · x_scale for int8, uint8 or
// int32 x, in the scale's float dtype. Opset 10 takes a per-tensor scale;
// opset 13 allows a 1-D scale and zero point along "axis" (default 1).

func init() {
	register(
		&runtime.Op{Type: "DequantizeLinear", Since: 10, Inputs: [2]int{2, 3}, Outputs: [2]int{1, 1}, Build: buildDequantizeLinear},
		&runtime.Op{Type: "DequantizeLinear", Since: 13, Inputs: [2]int{2, 3}, Outputs: [2]int{1, 1}, Build: buildDequantizeLinear},
	)
}

type dequantizeLinearKernel struct {
	axis    int64
	perAxis bool
}

func buildDequantizeLinear(b *runtime.BuildContext) (runtime.Kernel, error) {
	return &dequantizeLinearKernel{axis: b.Int("axis", 1), perAxis: b.Version >= 13}, b.Err()
}

func (k *dequantizeLinearKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	x, scale := in[0], in[1]
	var zp *tensor.Tensor
	if len(in) > 2 {
		zp = in[2]
	}
	xv, err := qInt32s(x)
	if err != nil {
		return nil, err
	}
	sv, err := qScaleValues(scale, "x_scale")
	if err != nil {
		return nil, err
	}
	if !k.perAxis && scale.Len() != 1 {
		return nil, errShape("DequantizeLinear-10 needs a scalar x_scale, got %v", scale.Shape())
	}
	ap, err := newQAxisParam(scale, x.Shape(), k.axis, "x_scale")
	if err != nil {
		return nil, err
	}
	zv := make([]int32, len(sv))
	if zp != nil {
		if zp.DType() != x.DType() {
			return nil, errDType("x_zero_point %v does not match x %v", zp.DType(), x.DType())
		}
		if zp.Len() != scale.Len() {
			return nil, errShape("x_zero_point %v does not match x_scale %v", zp.Shape(), scale.Shape())
		}
		if zv, err = qInt32s(zp); err != nil {
			return nil, err
		}
	}
	switch scale.DType() {
	case tensor.Float64:
		out := tensor.Make[float64](x.Shape()...)
		d := tensor.Data[float64](out)
		for i, v := range xv {
			j := ap.at(i)
			d[i] = float64(v-zv[j]) * sv[j]
		}
		return []*tensor.Tensor{out}, nil
	default:
		// float32 arithmetic, as the reference does.
		out := tensor.Make[float32](x.Shape()...)
		d := tensor.Data[float32](out)
		for i, v := range xv {
			j := ap.at(i)
			d[i] = float32(v-zv[j]) * float32(sv[j])
		}
		return nnNarrow(scale.DType(), []*tensor.Tensor{out}, nil)
	}
}

// InferShapes: x's shape in the scale's dtype.
func (k *dequantizeLinearKernel) InferShapes(in []runtime.Fact) ([]runtime.Fact, error) {
	f := in[0]
	f.Value = nil
	f.DType = in[1].DType
	return []runtime.Fact{f}, nil
}

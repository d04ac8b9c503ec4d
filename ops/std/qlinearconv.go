package std

import (
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// QLinearConv: Conv of quantized X and W. The int32 convolution of
// (x - x_zero_point) and (w - w_zero_point), plus the int32 bias B, is
// requantized as y = saturate(round(acc · x_scale·w_scale / y_scale) +
// y_zero_point) in y_zero_point's dtype; w_scale and w_zero_point may have
// one value per output channel (opset 10).

func init() {
	register(&runtime.Op{Type: "QLinearConv", Since: 10, Inputs: [2]int{8, 9}, Outputs: [2]int{1, 1}, Build: buildQLinearConv})
}

type qlinearConvKernel struct{ conv *convKernel }

func buildQLinearConv(b *runtime.BuildContext) (runtime.Kernel, error) {
	k, err := buildConv(b)
	if err != nil {
		return nil, err
	}
	return &qlinearConvKernel{conv: k.(*convKernel)}, nil
}

func (k *qlinearConvKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	x, xs, xzp, w, ws, wzp, ys, yzp := in[0], in[1], in[2], in[3], in[4], in[5], in[6], in[7]
	var bias *tensor.Tensor
	if len(in) > 8 {
		bias = in[8]
	}
	p, acc, err := integerConv(rc, k.conv, x, xzp, w, wzp)
	if err != nil {
		return nil, err
	}
	lo, hi, err := qRange(yzp.DType())
	if err != nil || !qIs8bit(yzp.DType()) {
		return nil, errDType("QLinearConv output must be int8 or uint8, got %v", yzp.DType())
	}
	xsv, err := qRowParam(xs, 1, "x_scale")
	if err != nil {
		return nil, err
	}
	wsv, err := qRowParam(ws, p.m, "w_scale")
	if err != nil {
		return nil, err
	}
	ysv, err := qRowParam(ys, 1, "y_scale")
	if err != nil {
		return nil, err
	}
	if yzp.Len() != 1 {
		return nil, errShape("y_zero_point %v must be a scalar", yzp.Shape())
	}
	yz, err := qInt32s(yzp)
	if err != nil {
		return nil, err
	}
	var bv []int32
	if bias != nil {
		if bias.DType() != tensor.Int32 {
			return nil, errDType("QLinearConv bias must be int32, got %v", bias.DType())
		}
		if bias.Rank() != 1 || bias.Len() != p.m {
			return nil, errShape("QLinearConv bias %v must be (%d)", bias.Shape(), p.m)
		}
		bv = tensor.Data[int32](bias)
	}
	P := p.win.outSize
	mult := make([]float32, p.m)
	for m := range mult {
		mult[m] = float32(xsv[0]) * float32(wsv[qPick(wsv, m)]) / float32(ysv[0])
	}
	out := make([]int32, len(acc))
	for i, v := range acc {
		m := (i / max(P, 1)) % p.m
		if bv != nil {
			v += bv[m]
		}
		out[i] = int32(qSaturate(qRoundEven(float64(float32(v)*mult[m]))+float64(yz[0]), lo, hi))
	}
	return out1(qFromInt32(p.outShape(), out, yzp.DType()))
}

// InferShapes: Conv's shape in y_zero_point's dtype.
func (k *qlinearConvKernel) InferShapes(in []runtime.Fact) ([]runtime.Fact, error) {
	f, err := k.conv.InferShapes([]runtime.Fact{in[0], in[3]})
	if err != nil {
		return nil, err
	}
	f[0].DType = in[7].DType
	return f, nil
}

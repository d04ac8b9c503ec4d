package std

import (
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// DynamicQuantizeLinear: quantizes float32 x to uint8 with a scale and
// zero point computed from its range widened to include 0:
// scale = (max(0, max x) - min(0, min x)) / 255, zero_point =
// saturate(round(-min / scale)), y = saturate(round(x / scale) +
// zero_point); rounding is half to even (opset 11).

func init() {
	register(&runtime.Op{Type: "DynamicQuantizeLinear", Since: 11, Inputs: [2]int{1, 1}, Outputs: [2]int{3, 3}, Build: fixed(dynamicQuantizeKernel{})})
}

type dynamicQuantizeKernel struct{}

func (dynamicQuantizeKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	x := in[0]
	if x.DType() != tensor.Float32 {
		return nil, errDType("DynamicQuantizeLinear input must be float32, got %v", x.DType())
	}
	xd := tensor.Data[float32](x)
	var lo, hi float32
	for _, v := range xd {
		lo, hi = min(lo, v), max(hi, v)
	}
	scale := (hi - lo) / 255
	var zp float64
	y := make([]uint8, len(xd))
	if scale > 0 {
		zp = qSaturate(float64((0-lo)/scale), 0, 255)
		for i, v := range xd {
			y[i] = uint8(qSaturate(qRoundEven(float64(v/scale))+zp, 0, 255))
		}
	}
	yt, err := tensor.FromSlice(x.Shape(), y)
	if err != nil {
		return nil, err
	}
	return []*tensor.Tensor{yt, tensor.Scalar(scale), tensor.Scalar(uint8(zp))}, nil
}

// InferShapes: y like x in uint8; scalar scale and zero point.
func (dynamicQuantizeKernel) InferShapes(in []runtime.Fact) ([]runtime.Fact, error) {
	y := in[0]
	y.Value, y.DType = nil, tensor.Uint8
	return []runtime.Fact{y,
		{DType: tensor.Float32, HasShape: true, Shape: []int{}},
		{DType: tensor.Uint8, HasShape: true, Shape: []int{}}}, nil
}

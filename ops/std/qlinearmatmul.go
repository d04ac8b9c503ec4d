package std

import (
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// QLinearMatMul: MatMul of quantized matrices. The int32 product of
// (a - a_zero_point) and (b - b_zero_point) is requantized as
// y = saturate(round(acc · a_scale·b_scale / y_scale) + y_zero_point) in
// y_zero_point's dtype; scales and zero points are scalars or per row of
// A / per column of B (opset 10).

func init() {
	register(&runtime.Op{Type: "QLinearMatMul", Since: 10, Inputs: [2]int{8, 8}, Outputs: [2]int{1, 1}, Build: fixed(qlinearMatMulKernel{})})
}

type qlinearMatMulKernel struct{}

func (qlinearMatMulKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	a, as, azp, b, bs, bzp, ys, yzp := in[0], in[1], in[2], in[3], in[4], in[5], in[6], in[7]
	s, shape, acc, err := integerMatMul(rc, a, azp, b, bzp)
	if err != nil {
		return nil, err
	}
	lo, hi, err := qRange(yzp.DType())
	if err != nil || !qIs8bit(yzp.DType()) {
		return nil, errDType("QLinearMatMul output must be int8 or uint8, got %v", yzp.DType())
	}
	asv, err := qRowParam(as, s.m, "a_scale")
	if err != nil {
		return nil, err
	}
	bsv, err := qRowParam(bs, s.n, "b_scale")
	if err != nil {
		return nil, err
	}
	ysv, err := qRowParam(ys, s.m, "y_scale")
	if err != nil {
		return nil, err
	}
	if yzp.Len() != ys.Len() {
		return nil, errShape("y_zero_point %v does not match y_scale %v", yzp.Shape(), ys.Shape())
	}
	yz, err := qInt32s(yzp)
	if err != nil {
		return nil, err
	}
	out := make([]int32, len(acc))
	for i, v := range acc {
		r, c := (i/s.n)%max(s.m, 1), i%s.n
		ri, ci, yi := qPick(asv, r), qPick(bsv, c), qPick(ysv, r)
		mult := float32(asv[ri]) * float32(bsv[ci]) / float32(ysv[yi])
		q := qRoundEven(float64(float32(v)*mult)) + float64(yz[qPick(yz, r)])
		out[i] = int32(qSaturate(q, lo, hi))
	}
	return out1(qFromInt32(shape, out, yzp.DType()))
}

// qRowParam reads a scale that is a scalar or has one value per row (or
// column) of n.
func qRowParam(t *tensor.Tensor, n int, name string) ([]float64, error) {
	v, err := qScaleValues(t, name)
	if err != nil {
		return nil, err
	}
	if len(v) != 1 && len(v) != n {
		return nil, errShape("%s %v must be a scalar or have %d values", name, t.Shape(), n)
	}
	return v, nil
}

// qPick indexes a per-tensor (one value) or per-row parameter.
func qPick[T any](v []T, i int) int {
	if len(v) == 1 {
		return 0
	}
	return i
}

// InferShapes: MatMul's shape in y_zero_point's dtype.
func (qlinearMatMulKernel) InferShapes(in []runtime.Fact) ([]runtime.Fact, error) {
	f, err := matMulKernel{}.InferShapes([]runtime.Fact{in[0], in[3]})
	if err != nil {
		return nil, err
	}
	f[0].DType = in[7].DType
	return f, nil
}

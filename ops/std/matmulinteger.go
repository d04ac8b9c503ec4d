package std

import (
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// MatMulInteger: MatMul of 8-bit integer matrices after subtracting their
// zero points (a scalar, or per row of A / per column of B), accumulated in
// int32 (opset 10).

func init() {
	register(&runtime.Op{Type: "MatMulInteger", Since: 10, Inputs: [2]int{2, 4}, Outputs: [2]int{1, 1}, Build: fixed(matMulIntegerKernel{})})
}

type matMulIntegerKernel struct{}

func (matMulIntegerKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	var azp, bzp *tensor.Tensor
	if len(in) > 2 {
		azp = in[2]
	}
	if len(in) > 3 {
		bzp = in[3]
	}
	_, shape, acc, err := integerMatMul(rc, in[0], azp, in[1], bzp)
	if err != nil {
		return nil, err
	}
	return out1(tensor.FromSlice(shape, acc))
}

// qZeroPointShape gives a per-row zero point of A the shape (…, M, 1) so
// that it broadcasts over A's columns; others keep their shape.
func qZeroPointShape(zp, x *tensor.Tensor, perRow bool) []int {
	if zp == nil {
		return nil
	}
	if perRow && zp.Rank() == 1 && x.Rank() >= 2 && zp.Len() > 1 {
		return []int{zp.Len(), 1}
	}
	return zp.Shape()
}

// integerMatMul computes Σ (a - azp)(b - bzp) in int32 with MatMul's
// batching, returning the layout, result shape and values.
func integerMatMul(rc *runtime.RunContext, a, azp, b, bzp *tensor.Tensor) (*bmmShape, []int, []int32, error) {
	if !qIs8bit(a.DType()) || !qIs8bit(b.DType()) {
		return nil, nil, nil, errDType("integer MatMul needs int8/uint8 operands, got %v and %v", a.DType(), b.DType())
	}
	s, shape, err := matMulDims(a.Shape(), b.Shape())
	if err != nil {
		return nil, nil, nil, err
	}
	if err := rc.CheckSize(tensor.Int32, shape); err != nil {
		return nil, nil, nil, err
	}
	aw, err := qWidenMinus(a, azp, qZeroPointShape(azp, a, true))
	if err != nil {
		return nil, nil, nil, err
	}
	bw, err := qWidenMinus(b, bzp, qZeroPointShape(bzp, b, false))
	if err != nil {
		return nil, nil, nil, err
	}
	acc := make([]int32, tensor.NumElements(shape))
	bmmRun(s, tensor.Data[int32](aw), tensor.Data[int32](bw), acc)
	return s, shape, acc, nil
}

// InferShapes: MatMul's shape in int32.
func (matMulIntegerKernel) InferShapes(in []runtime.Fact) ([]runtime.Fact, error) {
	f, err := matMulKernel{}.InferShapes(in[:2])
	if err != nil {
		return nil, err
	}
	f[0].DType = tensor.Int32
	return f, nil
}

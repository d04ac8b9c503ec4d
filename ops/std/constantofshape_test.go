package std

import (
	"testing"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestConstantOfShape(t *testing.T) {
	got := runOp(t, "ConstantOfShape", 9, nil, 1, shpI64(2, 3))[0]
	if got.DType() != tensor.Float32 || !tensor.SameShape(got.Shape(), []int{2, 3}) {
		t.Fatalf("default: %v", got)
	}
	v := runtime.Attribute{Name: "value", Kind: runtime.AttrTensor, Tensor: tensor.MustFromSlice([]int{1}, []int64{7})}
	got = runOp(t, "ConstantOfShape", 9, attrsOf(v), 1, shpI64(3))[0]
	shpWantI64(t, got, []int{3}, []int64{7, 7, 7})
	// An empty shape is a scalar; a zero dim an empty tensor.
	got = runOp(t, "ConstantOfShape", 9, attrsOf(v), 1, shpI64())[0]
	shpWantI64(t, got, []int{}, []int64{7})
	got = runOp(t, "ConstantOfShape", 9, attrsOf(v), 1, shpI64(0, 5))[0]
	shpWantI64(t, got, []int{0, 5}, nil)
}

func TestConstantOfShapeErrors(t *testing.T) {
	shpWantErr(t, runOpErr("ConstantOfShape", 9, nil, 1, shpI64(1_000_000, 1_000_000)), runtime.ErrTooLarge)
	shpWantErr(t, runOpErr("ConstantOfShape", 9, nil, 1, shpI64(-1)), tensor.ErrShape)
	shpWantErr(t, runOpErr("ConstantOfShape", 9, nil, 1, shpF64([]int{1}, 2)), tensor.ErrDType)
	two := runtime.Attribute{Name: "value", Kind: runtime.AttrTensor, Tensor: tensor.MustFromSlice([]int{2}, []int64{7, 8})}
	shpWantErr(t, runOpErr("ConstantOfShape", 9, attrsOf(two), 1, shpI64(1)), runtime.ErrInvalidGraph)
}

func TestConstantOfShapeInferShapes(t *testing.T) {
	k := &constantOfShapeKernel{value: tensor.Scalar(int32(1))}
	out := shpInfer(t, k, runtime.FactOf(shpI64(4, 2)))[0]
	shpWantShape(t, out, 4, 2)
	if out.DType != tensor.Int32 {
		t.Fatalf("dtype %v", out.DType)
	}
	shpWantShape(t, shpInfer(t, k, shpFact(tensor.Int64, 3))[0], -1, -1, -1)
}

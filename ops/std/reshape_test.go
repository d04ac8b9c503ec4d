package std

import (
	"math/rand"
	"testing"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestReshapeZeroAndInfer(t *testing.T) {
	x := shpIota(2, 3, 4)
	cases := []struct {
		shape []int64
		want  []int
	}{
		{[]int64{4, -1}, []int{4, 6}},
		{[]int64{0, -1}, []int{2, 12}},
		{[]int64{0, 0, 2, 2}, []int{2, 3, 2, 2}},
		{[]int64{-1}, []int{24}},
		{[]int64{2, 3, 4}, []int{2, 3, 4}},
	}
	for _, c := range cases {
		got := runOp(t, "Reshape", 14, nil, 1, x, shpI64(c.shape...))[0]
		shpWantF64(t, got, c.want, tensor.Data[float64](x))
	}
	// allowzero: 0 is an empty dim.
	e := tensor.Make[float32](0, 3)
	got := runOp(t, "Reshape", 14, attrsOf(attrInt("allowzero", 1)), 1, e, shpI64(3, 0))[0]
	if !tensor.SameShape(got.Shape(), []int{3, 0}) {
		t.Fatalf("allowzero shape %v", got.Shape())
	}
	// Without allowzero (and before opset 14) 0 copies.
	got = runOp(t, "Reshape", 13, attrsOf(attrInt("allowzero", 1)), 1, x, shpI64(0, 12))[0]
	if !tensor.SameShape(got.Shape(), []int{2, 12}) {
		t.Fatalf("opset-13 zero copy shape %v", got.Shape())
	}
	// Opset 1: the shape attribute.
	got = runOp(t, "Reshape", 1, attrsOf(attrInts("shape", 6, -1)), 1, x)[0]
	if !tensor.SameShape(got.Shape(), []int{6, 4}) {
		t.Fatalf("opset-1 shape %v", got.Shape())
	}
}

func TestReshapeErrors(t *testing.T) {
	x := shpIota(2, 3)
	for _, s := range [][]int64{{-1, -1}, {4, 2}, {0, 0, 0}, {-2, 3}, {5, -1}} {
		shpWantErr(t, runOpErr("Reshape", 14, nil, 1, x, shpI64(s...)), tensor.ErrShape)
	}
	shpWantErr(t, runOpErr("Reshape", 14, attrsOf(attrInt("allowzero", 1)), 1, x, shpI64(0, -1)), tensor.ErrShape)
	shpWantErr(t, runOpErr("Reshape", 14, nil, 1, x, tensor.MustFromSlice([]int{2}, []float32{3, 2})), tensor.ErrDType)
	shpWantErr(t, runOpErr("Reshape", 1, nil, 1, x), runtime.ErrInvalidGraph)
}

func TestReshapeInferShapes(t *testing.T) {
	k := &reshapeKernel{}
	shape := runtime.FactOf(shpI64(0, -1, 2))
	shpWantShape(t, shpInfer(t, k, shpFact(tensor.Float32, 3, 4, 6), shape)[0], 3, 12, 2)
	// An unknown input dim leaves the inferred dim unknown, but copies.
	shpWantShape(t, shpInfer(t, k, shpFact(tensor.Float32, -1, 4, 6), shape)[0], -1, -1, 2)
	// Unknown rank: only literal dims.
	shpWantShape(t, shpInfer(t, k, runtime.Fact{DType: tensor.Float32}, runtime.FactOf(shpI64(0, 5)))[0], -1, 5)
	// Non-constant shape of known length: the rank.
	shpWantShape(t, shpInfer(t, k, shpFact(tensor.Float32, 2), shpFact(tensor.Int64, 3))[0], -1, -1, -1)
	if _, err := k.InferShapes([]runtime.Fact{shpFact(tensor.Float32, 2, 3), runtime.FactOf(shpI64(4, -1))}); err == nil {
		t.Fatal("impossible reshape must fail inference")
	}
}

func TestReshapeGradient(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	gradCheck(t, "Reshape", 14, nil, []*tensor.Tensor{randF64(rng, -1, 1, 2, 3, 2), shpI64(3, -1)}, 0)
}

package std

import (
	"context"
	"math/rand"
	"testing"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestSplitVersions(t *testing.T) {
	x := shpIota(2, 6)
	out := runOp(t, "Split", 13, attrsOf(attrInt("axis", 1)), 3, x)
	for i, o := range out {
		b := float64(2 * i)
		shpWantF64(t, o, []int{2, 2}, []float64{b, b + 1, b + 6, b + 7})
	}
	out = runOp(t, "Split", 13, attrsOf(attrInt("axis", -1)), 2, x, shpI64(1, 5))
	shpWantF64(t, out[0], []int{2, 1}, []float64{0, 6})
	shpWantF64(t, out[1], []int{2, 5}, []float64{1, 2, 3, 4, 5, 7, 8, 9, 10, 11})
	out = runOp(t, "Split", 11, attrsOf(attrInt("axis", 1), attrInts("split", 4, 0, 2)), 3, x)
	if !tensor.SameShape(out[1].Shape(), []int{2, 0}) || !tensor.SameShape(out[2].Shape(), []int{2, 2}) {
		t.Fatalf("zero-size part: %v %v", out[1], out[2])
	}
	// Opset 1 may take the lengths as a second input.
	out = runOp(t, "Split", 1, nil, 2, shpIota(3), shpI64(2, 1))
	shpWantF64(t, out[0], []int{2}, []float64{0, 1})
	shpWantF64(t, out[1], []int{1}, []float64{2})
}

func TestSplitErrors(t *testing.T) {
	x := shpIota(2, 5)
	shpWantErr(t, runOpErr("Split", 13, attrsOf(attrInt("axis", 1)), 2, x), tensor.ErrShape)
	shpWantErr(t, runOpErr("Split", 13, attrsOf(attrInt("axis", 1)), 2, x, shpI64(2, 2)), tensor.ErrShape)
	shpWantErr(t, runOpErr("Split", 13, attrsOf(attrInt("axis", 1)), 2, x, shpI64(6, -1)), tensor.ErrShape)
	shpWantErr(t, runOpErr("Split", 13, attrsOf(attrInt("axis", 1)), 2, x, shpI64(5)), tensor.ErrShape)
	shpWantErr(t, runOpErr("Split", 13, attrsOf(attrInt("axis", 2)), 1, x), tensor.ErrShape)
}

func TestSplitInferShapes(t *testing.T) {
	k := &splitKernel{axis: 0, nout: 2}
	out := shpInfer(t, k, shpFact(tensor.Float32, 6, -1), runtime.FactOf(shpI64(2, 4)))
	shpWantShape(t, out[0], 2, -1)
	shpWantShape(t, out[1], 4, -1)
	out = shpInfer(t, k, shpFact(tensor.Float32, 6, 3), runtime.Fact{Absent: true})
	shpWantShape(t, out[1], 3, 3)
	out = shpInfer(t, k, shpFact(tensor.Float32, -1, 3), runtime.FactOf(shpI64(1, 2)))
	shpWantShape(t, out[1], 2, 3)
	out = shpInfer(t, k, shpFact(tensor.Float32, 6, 3), shpFact(tensor.Int64, 2))
	shpWantShape(t, out[0], -1, 3)
}

// The backward of Split joins the output gradients; an output without one
// contributes zeros.
func TestSplitBackward(t *testing.T) {
	ctx := context.Background()
	x := shpIota(2, 3)
	in := []*tensor.Tensor{x, shpI64(1, 2)}
	n := opNode("Split", in, 2, attrInt("axis", 1))
	f, k, err := runtime.RunNode(ctx, testRegistry(), n, 13, in, runtime.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	g0 := shpF64([]int{2, 1}, 10, 20)
	g1 := shpF64([]int{2, 2}, 1, 2, 3, 4)
	grads, err := runtime.BackwardNode(ctx, k, f, []*tensor.Tensor{g0, g1}, []bool{true, false}, runtime.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	shpWantF64(t, grads[0], []int{2, 3}, []float64{10, 1, 2, 20, 3, 4})
	grads, err = runtime.BackwardNode(ctx, k, f, []*tensor.Tensor{nil, g1}, []bool{true, false}, runtime.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	shpWantF64(t, grads[0], []int{2, 3}, []float64{0, 1, 2, 0, 3, 4})
}

func TestSplitGradient(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	gradCheck(t, "Split", 13, attrsOf(attrInt("axis", 1)), []*tensor.Tensor{randF64(rng, -1, 1, 2, 3)}, 0)
}

package std

import (
	"math/rand"
	"testing"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestConcatAxes(t *testing.T) {
	a := shpF64([]int{2, 2}, 1, 2, 3, 4)
	b := shpF64([]int{2, 1}, 5, 6)
	shpWantF64(t, runOp(t, "Concat", 13, attrsOf(attrInt("axis", 1)), 1, a, b)[0], []int{2, 3}, []float64{1, 2, 5, 3, 4, 6})
	shpWantF64(t, runOp(t, "Concat", 13, attrsOf(attrInt("axis", -2)), 1, a, a)[0], []int{4, 2}, []float64{1, 2, 3, 4, 1, 2, 3, 4})
	// Opset 1 defaults to axis 1; empty inputs contribute nothing.
	e := tensor.Make[float64](2, 0)
	shpWantF64(t, runOp(t, "Concat", 1, nil, 1, e, b, e)[0], []int{2, 1}, []float64{5, 6})
	// A single input, ints.
	i := tensor.MustFromSlice([]int{3}, []int32{7, 8, 9})
	got := runOp(t, "Concat", 13, attrsOf(attrInt("axis", 0)), 1, i, i)[0]
	if d := tensor.Data[int32](got); len(d) != 6 || d[3] != 7 || d[5] != 9 {
		t.Fatalf("int concat %v", d)
	}
}

func TestConcatErrors(t *testing.T) {
	a := shpIota(2, 2)
	shpWantErr(t, runOpErr("Concat", 13, attrsOf(attrInt("axis", 0)), 1, a, shpIota(2, 3)), tensor.ErrShape)
	shpWantErr(t, runOpErr("Concat", 13, attrsOf(attrInt("axis", 0)), 1, a, shpIota(2)), tensor.ErrShape)
	shpWantErr(t, runOpErr("Concat", 13, attrsOf(attrInt("axis", 2)), 1, a, a), tensor.ErrShape)
	shpWantErr(t, runOpErr("Concat", 13, attrsOf(attrInt("axis", 0)), 1, a, tensor.Make[float32](2, 2)), tensor.ErrDType)
	shpWantErr(t, runOpErr("Concat", 13, nil, 1, a, a), runtime.ErrInvalidGraph)
}

func TestConcatInferShapes(t *testing.T) {
	k := &concatKernel{axis: 1}
	shpWantShape(t, shpInfer(t, k, shpFact(tensor.Float32, -1, 2), shpFact(tensor.Float32, 3, 5))[0], 3, 7)
	shpWantShape(t, shpInfer(t, k, shpFact(tensor.Float32, 3, -1), shpFact(tensor.Float32, 3, 5))[0], 3, -1)
	if _, err := k.InferShapes([]runtime.Fact{shpFact(tensor.Float32, 3, 1), shpFact(tensor.Float32, 4, 1)}); err == nil {
		t.Fatal("mismatched dims must fail inference")
	}
}

func TestConcatGradient(t *testing.T) {
	rng := rand.New(rand.NewSource(6))
	in := []*tensor.Tensor{randF64(rng, -1, 1, 2, 1, 3), randF64(rng, -1, 1, 2, 3, 3), randF64(rng, -1, 1, 2, 2, 3)}
	gradCheck(t, "Concat", 13, attrsOf(attrInt("axis", 1)), in, 0, 1, 2)
}

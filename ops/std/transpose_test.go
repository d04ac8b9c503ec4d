package std

import (
	"math/rand"
	"testing"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestTransposeDefaultAndPerm(t *testing.T) {
	x := shpIota(2, 3)
	shpWantF64(t, runOp(t, "Transpose", 13, nil, 1, x)[0], []int{3, 2}, []float64{0, 3, 1, 4, 2, 5})
	y := shpIota(2, 3, 4)
	got := runOp(t, "Transpose", 13, attrsOf(attrInts("perm", 1, 2, 0)), 1, y)[0]
	want, shape := shpNaiveTranspose(tensor.Data[float64](y), []int{2, 3, 4}, []int{1, 2, 0})
	shpWantF64(t, got, shape, want)
	// Strings and bools move too; a scalar is its own transpose.
	s := tensor.MustFromSlice([]int{2, 2}, []string{"a", "b", "c", "d"})
	if d := tensor.Data[string](runOp(t, "Transpose", 13, nil, 1, s)[0]); d[1] != "c" || d[2] != "b" {
		t.Fatalf("string transpose %v", d)
	}
	sc := runOp(t, "Transpose", 13, nil, 1, tensor.Scalar(true))[0]
	if sc.Rank() != 0 || !tensor.Data[bool](sc)[0] {
		t.Fatalf("scalar transpose %v", sc)
	}
}

func TestTransposeErrors(t *testing.T) {
	x := shpIota(2, 3)
	for _, p := range [][]int64{{0}, {0, 0}, {0, 2}, {-1, 0}} {
		shpWantErr(t, runOpErr("Transpose", 13, attrsOf(attrInts("perm", p...)), 1, x), tensor.ErrShape)
	}
}

func TestTransposeInferShapes(t *testing.T) {
	k := &transposeKernel{perm: []int64{2, 0, 1}}
	shpWantShape(t, shpInfer(t, k, shpFact(tensor.Float32, 2, -1, 4))[0], 4, 2, -1)
	if f := shpInfer(t, k, runtime.Fact{DType: tensor.Float32})[0]; f.HasShape {
		t.Fatal("unknown rank must stay unknown")
	}
	if _, err := k.InferShapes([]runtime.Fact{shpFact(tensor.Float32, 2, 3)}); err == nil {
		t.Fatal("bad perm for rank must fail")
	}
}

func TestTransposeGradient(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	gradCheck(t, "Transpose", 13, attrsOf(attrInts("perm", 2, 0, 1)), []*tensor.Tensor{randF64(rng, -1, 1, 2, 3, 4)}, 0)
	gradCheck(t, "Transpose", 13, nil, []*tensor.Tensor{randF64(rng, -1, 1, 3, 5)}, 0)
}

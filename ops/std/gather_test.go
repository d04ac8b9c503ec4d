package std

import (
	"math/rand"
	"testing"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestGatherAxes(t *testing.T) {
	x := shpIota(3, 4)
	ind := tensor.MustFromSlice([]int{2, 2}, []int64{0, 2, -1, 1})
	// Axis 0: rows.
	got := runOp(t, "Gather", 13, nil, 1, x, ind)[0]
	want := []float64{0, 1, 2, 3, 8, 9, 10, 11, 8, 9, 10, 11, 4, 5, 6, 7}
	shpWantF64(t, got, []int{2, 2, 4}, want)
	// Axis 1 with int32 indices: columns.
	ind32 := tensor.MustFromSlice([]int{3}, []int32{3, 0, 3})
	got = runOp(t, "Gather", 13, attrsOf(attrInt("axis", -1)), 1, x, ind32)[0]
	shpWantF64(t, got, []int{3, 3}, []float64{3, 0, 3, 7, 4, 7, 11, 8, 11})
	// A scalar index drops the axis.
	got = runOp(t, "Gather", 13, nil, 1, x, tensor.Scalar(int64(1)))[0]
	shpWantF64(t, got, []int{4}, []float64{4, 5, 6, 7})
	// Strings.
	s := tensor.MustFromSlice([]int{3}, []string{"a", "b", "c"})
	if d := tensor.Data[string](runOp(t, "Gather", 13, nil, 1, s, shpI64(2, 0))[0]); d[0] != "c" || d[1] != "a" {
		t.Fatalf("string gather %v", d)
	}
}

func TestGatherErrors(t *testing.T) {
	x := shpIota(3, 4)
	shpWantErr(t, runOpErr("Gather", 13, nil, 1, x, shpI64(3)), tensor.ErrShape)
	shpWantErr(t, runOpErr("Gather", 13, nil, 1, x, shpI64(-4)), tensor.ErrShape)
	shpWantErr(t, runOpErr("Gather", 13, attrsOf(attrInt("axis", 2)), 1, x, shpI64(0)), tensor.ErrShape)
	shpWantErr(t, runOpErr("Gather", 13, nil, 1, x, shpF64([]int{1}, 0)), tensor.ErrDType)
}

func TestGatherInferShapes(t *testing.T) {
	k := &gatherKernel{axis: 1}
	shpWantShape(t, shpInfer(t, k, shpFact(tensor.Float32, 2, -1, 5), runtime.FactOf(shpI64(0, 1, 1)))[0], 2, 3, 5)
	shpWantShape(t, shpInfer(t, k, shpFact(tensor.Float32, 2, 7), shpFact(tensor.Int64))[0], 2)
}

func TestGatherGradient(t *testing.T) {
	rng := rand.New(rand.NewSource(12))
	x := randF64(rng, -1, 1, 4, 3)
	// Repeated indices must accumulate.
	ind := tensor.MustFromSlice([]int{2, 3}, []int64{1, 3, 1, -1, 0, 1})
	gradCheck(t, "Gather", 13, nil, []*tensor.Tensor{x, ind}, 0)
	gradCheck(t, "Gather", 13, attrsOf(attrInt("axis", 1)), []*tensor.Tensor{x, shpI64(2, 2, 0)}, 0)
}

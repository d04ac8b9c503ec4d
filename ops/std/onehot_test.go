package std

import (
	"testing"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestOneHot(t *testing.T) {
	vals := shpF64([]int{2}, -1, 5)
	ind := tensor.MustFromSlice([]int{2}, []int64{1, -1})
	// Default axis -1: [2, depth].
	got := runOp(t, "OneHot", 11, nil, 1, ind, tensor.Scalar(int64(3)), vals)[0]
	shpWantF64(t, got, []int{2, 3}, []float64{-1, 5, -1, -1, -1, 5})
	// Axis 0: [depth, 2]; out-of-range indices give all-off columns.
	ind = tensor.MustFromSlice([]int{2}, []int64{2, 7})
	got = runOp(t, "OneHot", 11, attrsOf(attrInt("axis", 0)), 1, ind, tensor.Scalar(int64(3)), vals)[0]
	shpWantF64(t, got, []int{3, 2}, []float64{-1, -1, -1, -1, 5, -1})
	// Float indices and depth truncate; opset 9 does not wrap negatives.
	fi := tensor.MustFromSlice([]int{2}, []float32{1.7, -1})
	got = runOp(t, "OneHot", 9, nil, 1, fi, tensor.Scalar(float32(2.5)), vals)[0]
	shpWantF64(t, got, []int{2, 2}, []float64{-1, 5, -1, -1})
	// Integer values, middle axis.
	iv := tensor.MustFromSlice([]int{2}, []int32{0, 1})
	ind2 := tensor.MustFromSlice([]int{2, 2}, []int64{0, 1, 1, 0})
	gi := runOp(t, "OneHot", 11, attrsOf(attrInt("axis", 1)), 1, ind2, tensor.Scalar(int64(2)), iv)[0]
	want := []int32{1, 0, 0, 1, 0, 1, 1, 0}
	if !tensor.SameShape(gi.Shape(), []int{2, 2, 2}) {
		t.Fatalf("shape %v", gi.Shape())
	}
	for i, v := range tensor.Data[int32](gi) {
		if v != want[i] {
			t.Fatalf("got %v want %v", tensor.Data[int32](gi), want)
		}
	}
}

func TestOneHotErrors(t *testing.T) {
	vals := shpF64([]int{2}, 0, 1)
	ind := shpI64(0)
	shpWantErr(t, runOpErr("OneHot", 11, nil, 1, ind, tensor.Scalar(int64(0)), vals), tensor.ErrShape)
	shpWantErr(t, runOpErr("OneHot", 11, nil, 1, ind, tensor.Scalar(int64(2)), shpF64([]int{3}, 0, 1, 2)), tensor.ErrShape)
	shpWantErr(t, runOpErr("OneHot", 11, attrsOf(attrInt("axis", 2)), 1, ind, tensor.Scalar(int64(2)), vals), tensor.ErrShape)
	shpWantErr(t, runOpErr("OneHot", 11, nil, 1, shpI64(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), tensor.Scalar(int64(1e12)), vals), runtime.ErrTooLarge)
	shpWantErr(t, runOpErr("OneHot", 11, nil, 1, ind, tensor.Scalar(1e300), vals), runtime.ErrTooLarge)
}

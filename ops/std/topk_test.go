package std

import (
	"math"
	"testing"

	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestTopKTiesAndModes(t *testing.T) {
	x := shpF64([]int{2, 5}, 3, 1, 3, 2, 1, 0, math.NaN(), 5, 5, -1)
	out := runOp(t, "TopK", 11, nil, 2, x, shpI64(3))
	// Equal values keep index order; NaN ranks above every number.
	assertClose(t, out[0], shpF64([]int{2, 3}, 3, 3, 2, math.NaN(), 5, 5), 0, 0)
	shpWantI64(t, out[1], []int{2, 3}, []int64{0, 2, 3, 1, 2, 3})
	out = runOp(t, "TopK", 11, attrsOf(attrInt("largest", 0)), 2, x, shpI64(2))
	shpWantF64(t, out[0], []int{2, 2}, []float64{1, 1, -1, 0})
	shpWantI64(t, out[1], []int{2, 2}, []int64{1, 4, 4, 0})
	// Axis 0, int32, opset 1 with k as an attribute.
	xi := tensor.MustFromSlice([]int{3, 2}, []int32{1, 9, 7, 2, 4, 4})
	out = runOp(t, "TopK", 1, attrsOf(attrInt("k", 2), attrInt("axis", 0)), 2, xi)
	if d := tensor.Data[int32](out[0]); d[0] != 7 || d[1] != 9 || d[2] != 4 || d[3] != 4 {
		t.Fatalf("int32 values %v", d)
	}
	shpWantI64(t, out[1], []int{2, 2}, []int64{1, 0, 2, 2})
	// k = 0 is an empty result.
	out = runOp(t, "TopK", 11, nil, 2, x, shpI64(0))
	shpWantI64(t, out[1], []int{2, 0}, nil)
}

func TestTopKErrors(t *testing.T) {
	x := shpIota(2, 3)
	shpWantErr(t, runOpErr("TopK", 11, nil, 2, x, shpI64(4)), tensor.ErrShape)
	shpWantErr(t, runOpErr("TopK", 11, nil, 2, x, shpI64(-1)), tensor.ErrShape)
	shpWantErr(t, runOpErr("TopK", 11, nil, 2, x, shpI64(1, 1)), tensor.ErrShape)
	shpWantErr(t, runOpErr("TopK", 11, attrsOf(attrInt("axis", 2)), 2, x, shpI64(1)), tensor.ErrShape)
	shpWantErr(t, runOpErr("TopK", 11, nil, 2, tensor.MustFromSlice([]int{1}, []string{"a"}), shpI64(1)), tensor.ErrDType)
}

package std

import (
	"testing"

	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestUniqueFlat(t *testing.T) {
	x := shpF64([]int{6}, 2, 1, 1, 3, 4, 3)
	out := runOp(t, "Unique", 11, attrsOf(attrInt("sorted", 0)), 4, x)
	shpWantF64(t, out[0], []int{4}, []float64{2, 1, 3, 4})
	shpWantI64(t, out[1], []int{4}, []int64{0, 1, 3, 4})
	shpWantI64(t, out[2], []int{6}, []int64{0, 1, 1, 2, 3, 2})
	shpWantI64(t, out[3], []int{4}, []int64{1, 2, 2, 1})
	out = runOp(t, "Unique", 11, nil, 4, x)
	shpWantF64(t, out[0], []int{4}, []float64{1, 2, 3, 4})
	shpWantI64(t, out[1], []int{4}, []int64{1, 0, 3, 4})
	shpWantI64(t, out[2], []int{6}, []int64{1, 0, 0, 2, 3, 2})
	shpWantI64(t, out[3], []int{4}, []int64{2, 1, 2, 1})
	// Strings, one output.
	s := tensor.MustFromSlice([]int{2, 2}, []string{"b", "a", "b", "c"})
	out = runOp(t, "Unique", 11, nil, 1, s)
	if d := tensor.Data[string](out[0]); len(out) != 1 || len(d) != 3 || d[0] != "a" || d[2] != "c" {
		t.Fatalf("strings %v", d)
	}
}

func TestUniqueAxis(t *testing.T) {
	x := shpF64([]int{3, 3}, 1, 0, 0, 1, 0, 0, 2, 3, 4)
	out := runOp(t, "Unique", 11, attrsOf(attrInt("axis", 0)), 4, x)
	shpWantF64(t, out[0], []int{2, 3}, []float64{1, 0, 0, 2, 3, 4})
	shpWantI64(t, out[1], []int{2}, []int64{0, 2})
	shpWantI64(t, out[2], []int{3}, []int64{0, 0, 1})
	shpWantI64(t, out[3], []int{2}, []int64{2, 1})
	// Columns (1,2), (1,2), (0,5): sorted lexicographically.
	y := shpF64([]int{2, 3}, 1, 1, 0, 2, 2, 5)
	out = runOp(t, "Unique", 11, attrsOf(attrInt("axis", -1)), 4, y)
	shpWantF64(t, out[0], []int{2, 2}, []float64{0, 1, 5, 2})
	shpWantI64(t, out[1], []int{2}, []int64{2, 0})
	shpWantI64(t, out[2], []int{3}, []int64{1, 1, 0})
	shpWantI64(t, out[3], []int{2}, []int64{1, 2})
	shpWantErr(t, runOpErr("Unique", 11, attrsOf(attrInt("axis", 2)), 1, y), tensor.ErrShape)
}

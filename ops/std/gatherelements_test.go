package std

import (
	"testing"

	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestGatherElements(t *testing.T) {
	x := shpIota(3, 3)
	ind := tensor.MustFromSlice([]int{2, 3}, []int64{1, 2, 0, 2, -3, 1})
	// out[i][j] = x[ind[i][j]][j]
	got := runOp(t, "GatherElements", 13, nil, 1, x, ind)[0]
	shpWantF64(t, got, []int{2, 3}, []float64{3, 7, 2, 6, 1, 5})
	// out[i][j] = x[i][ind[i][j]]
	ind2 := tensor.MustFromSlice([]int{3, 1}, []int32{2, 0, 1})
	got = runOp(t, "GatherElements", 13, attrsOf(attrInt("axis", 1)), 1, x, ind2)[0]
	shpWantF64(t, got, []int{3, 1}, []float64{2, 3, 7})
}

func TestGatherElementsErrors(t *testing.T) {
	x := shpIota(3, 3)
	shpWantErr(t, runOpErr("GatherElements", 13, nil, 1, x, shpI64(0)), tensor.ErrShape)
	shpWantErr(t, runOpErr("GatherElements", 13, nil, 1, x, tensor.MustFromSlice([]int{1, 1}, []int64{3})), tensor.ErrShape)
	shpWantErr(t, runOpErr("GatherElements", 13, nil, 1, x, tensor.MustFromSlice([]int{1, 4}, []int64{0, 0, 0, 0})), tensor.ErrShape)
	shpWantErr(t, runOpErr("GatherElements", 13, attrsOf(attrInt("axis", 3)), 1, x, tensor.MustFromSlice([]int{1, 1}, []int64{0})), tensor.ErrShape)
}

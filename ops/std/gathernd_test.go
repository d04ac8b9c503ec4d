package std

import (
	"testing"

	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestGatherND(t *testing.T) {
	x := shpIota(2, 2, 2)
	// Full tuples pick elements.
	ind := tensor.MustFromSlice([]int{2, 3}, []int64{0, 1, 1, 1, 0, -2})
	shpWantF64(t, runOp(t, "GatherND", 13, nil, 1, x, ind)[0], []int{2}, []float64{3, 4})
	// Short tuples pick slices.
	ind = tensor.MustFromSlice([]int{2, 1, 1}, []int64{1, 0})
	shpWantF64(t, runOp(t, "GatherND", 13, nil, 1, x, ind)[0], []int{2, 1, 2, 2}, []float64{4, 5, 6, 7, 0, 1, 2, 3})
	// batch_dims=1: each batch indexes its own slice.
	ind = tensor.MustFromSlice([]int{2, 1}, []int64{1, 0})
	shpWantF64(t, runOp(t, "GatherND", 13, attrsOf(attrInt("batch_dims", 1)), 1, x, ind)[0], []int{2, 2}, []float64{2, 3, 4, 5})
	ind = tensor.MustFromSlice([]int{2, 2, 2}, []int64{0, 1, 1, 0, 1, 1, 0, 0})
	shpWantF64(t, runOp(t, "GatherND", 13, attrsOf(attrInt("batch_dims", 1)), 1, x, ind)[0], []int{2, 2}, []float64{1, 2, 7, 4})
}

func TestGatherNDErrors(t *testing.T) {
	x := shpIota(2, 2)
	shpWantErr(t, runOpErr("GatherND", 13, nil, 1, x, tensor.MustFromSlice([]int{1, 3}, []int64{0, 0, 0})), tensor.ErrShape)
	shpWantErr(t, runOpErr("GatherND", 13, nil, 1, x, tensor.MustFromSlice([]int{1, 2}, []int64{0, 2})), tensor.ErrShape)
	shpWantErr(t, runOpErr("GatherND", 13, attrsOf(attrInt("batch_dims", 1)), 1, x, tensor.MustFromSlice([]int{3, 1}, []int64{0, 0, 0})), tensor.ErrShape)
	shpWantErr(t, runOpErr("GatherND", 13, attrsOf(attrInt("batch_dims", 2)), 1, x, tensor.MustFromSlice([]int{2, 2, 1}, []int64{0, 0, 0, 0})), tensor.ErrShape)
	shpWantErr(t, runOpErr("GatherND", 13, nil, 1, x, tensor.MustFromSlice([]int{1, 1}, []float32{0})), tensor.ErrDType)
}

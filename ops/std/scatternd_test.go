package std

import (
	"testing"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestScatterND(t *testing.T) {
	x := shpIota(2, 2)
	// Element updates, a repeated target with reduction.
	ind := tensor.MustFromSlice([]int{3, 2}, []int64{0, 1, -1, 0, 0, 1})
	upd := shpF64([]int{3}, 10, 20, 30)
	got := runOp(t, "ScatterND", 16, attrsOf(attrString("reduction", "add")), 1, x, ind, upd)[0]
	shpWantF64(t, got, []int{2, 2}, []float64{0, 41, 22, 3})
	got = runOp(t, "ScatterND", 16, attrsOf(attrString("reduction", "mul")), 1, x, ind, upd)[0]
	shpWantF64(t, got, []int{2, 2}, []float64{0, 300, 40, 3})
	// Slice updates.
	ind = tensor.MustFromSlice([]int{1, 1}, []int64{1})
	upd = shpF64([]int{1, 2}, 8, 9)
	shpWantF64(t, runOp(t, "ScatterND", 11, nil, 1, x, ind, upd)[0], []int{2, 2}, []float64{0, 1, 8, 9})
	shpWantF64(t, x, []int{2, 2}, []float64{0, 1, 2, 3})
}

func TestScatterNDErrors(t *testing.T) {
	x := shpIota(2, 2)
	ind := tensor.MustFromSlice([]int{1, 1}, []int64{1})
	shpWantErr(t, runOpErr("ScatterND", 16, nil, 1, x, ind, shpF64([]int{1, 3}, 1, 2, 3)), tensor.ErrShape)
	shpWantErr(t, runOpErr("ScatterND", 16, nil, 1, x, tensor.MustFromSlice([]int{1, 1}, []int64{2}), shpF64([]int{1, 2}, 1, 2)), tensor.ErrShape)
	shpWantErr(t, runOpErr("ScatterND", 16, attrsOf(attrString("reduction", "xor")), 1, x, ind, shpF64([]int{1, 2}, 1, 2)), runtime.ErrInvalidGraph)
}

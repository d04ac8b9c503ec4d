package std

import (
	"testing"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestReverseSequence(t *testing.T) {
	// time_axis 0, batch_axis 1: column b reverses its first lens[b] rows.
	x := shpIota(4, 3)
	got := runOp(t, "ReverseSequence", 10, nil, 1, x, shpI64(4, 2, 0))[0]
	shpWantF64(t, got, []int{4, 3}, []float64{9, 4, 2, 6, 1, 5, 3, 7, 8, 0, 10, 11})
	// batch_axis 0, time_axis 1, with a trailing dim.
	y := shpIota(2, 3, 2)
	attrs := attrsOf(attrInt("batch_axis", 0), attrInt("time_axis", 1))
	got = runOp(t, "ReverseSequence", 10, attrs, 1, y, shpI64(3, 1))[0]
	shpWantF64(t, got, []int{2, 3, 2}, []float64{4, 5, 2, 3, 0, 1, 6, 7, 8, 9, 10, 11})
}

func TestReverseSequenceErrors(t *testing.T) {
	x := shpIota(4, 3)
	shpWantErr(t, runOpErr("ReverseSequence", 10, nil, 1, x, shpI64(1, 1)), tensor.ErrShape)
	shpWantErr(t, runOpErr("ReverseSequence", 10, nil, 1, x, shpI64(5, 1, 1)), tensor.ErrShape)
	shpWantErr(t, runOpErr("ReverseSequence", 10, nil, 1, shpIota(3), shpI64(1)), tensor.ErrShape)
	shpWantErr(t, runOpErr("ReverseSequence", 10, attrsOf(attrInt("batch_axis", 0)), 1, x, shpI64(1, 1, 1, 1)), runtime.ErrInvalidGraph)
}

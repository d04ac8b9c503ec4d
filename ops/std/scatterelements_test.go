package std

import (
	"testing"

	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestScatterElements(t *testing.T) {
	x := shpIota(2, 3)
	ind := tensor.MustFromSlice([]int{2, 2}, []int64{2, 0, -1, 2})
	upd := shpF64([]int{2, 2}, 10, 20, 30, 40)
	// Axis 1: row i, column ind[i][j]. The input is not modified.
	got := runOp(t, "ScatterElements", 16, attrsOf(attrInt("axis", 1)), 1, x, ind, upd)[0]
	shpWantF64(t, got, []int{2, 3}, []float64{20, 1, 10, 3, 4, 40})
	shpWantF64(t, x, []int{2, 3}, []float64{0, 1, 2, 3, 4, 5})
	// Reductions combine repeated targets.
	got = runOp(t, "ScatterElements", 16, attrsOf(attrInt("axis", 1), attrString("reduction", "add")), 1, x, ind, upd)[0]
	shpWantF64(t, got, []int{2, 3}, []float64{20, 1, 12, 3, 4, 75})
	got = runOp(t, "ScatterElements", 16, attrsOf(attrInt("axis", 1), attrString("reduction", "mul")), 1, x, ind, upd)[0]
	shpWantF64(t, got, []int{2, 3}, []float64{0, 1, 20, 3, 4, 6000})
	// Axis 0, and the Scatter alias.
	ind0 := tensor.MustFromSlice([]int{1, 3}, []int32{1, 0, 1})
	upd0 := shpF64([]int{1, 3}, 7, 8, 9)
	want := []float64{0, 8, 2, 7, 4, 9}
	shpWantF64(t, runOp(t, "ScatterElements", 13, nil, 1, x, ind0, upd0)[0], []int{2, 3}, want)
	shpWantF64(t, runOp(t, "Scatter", 9, nil, 1, x, ind0, upd0)[0], []int{2, 3}, want)
	// Float16 add goes through float32.
	h := tensor.MustFromSlice([]int{2}, []tensor.F16{tensor.F16From(1), tensor.F16From(2)})
	hu := tensor.MustFromSlice([]int{2}, []tensor.F16{tensor.F16From(0.5), tensor.F16From(0.25)})
	gh := runOp(t, "ScatterElements", 16, attrsOf(attrString("reduction", "add")), 1, h, shpI64(1, 1), hu)[0]
	if d := tensor.Data[tensor.F16](gh); d[0].Float32() != 1 || d[1].Float32() != 2.75 {
		t.Fatalf("float16 add %v", d)
	}
}

func TestScatterElementsErrors(t *testing.T) {
	x := shpIota(2, 3)
	ind := tensor.MustFromSlice([]int{1, 1}, []int64{3})
	upd := shpF64([]int{1, 1}, 1)
	shpWantErr(t, runOpErr("ScatterElements", 16, attrsOf(attrInt("axis", 1)), 1, x, ind, upd), tensor.ErrShape)
	shpWantErr(t, runOpErr("ScatterElements", 16, nil, 1, x, tensor.MustFromSlice([]int{1, 1}, []int64{0}), shpF64([]int{1}, 1)), tensor.ErrShape)
	shpWantErr(t, runOpErr("ScatterElements", 16, nil, 1, x, tensor.MustFromSlice([]int{1, 1}, []int64{0}), tensor.MustFromSlice([]int{1, 1}, []float32{1})), tensor.ErrDType)
	s := tensor.MustFromSlice([]int{1}, []string{"a"})
	shpWantErr(t, runOpErr("ScatterElements", 16, attrsOf(attrString("reduction", "add")), 1, s, shpI64(0), s), tensor.ErrDType)
}

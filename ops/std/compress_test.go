package std

import (
	"testing"

	"github.com/optnet-go/optnet/runtime/tensor"
)

func shpBools(v ...bool) *tensor.Tensor { return tensor.MustFromSlice([]int{len(v)}, v) }

func TestCompress(t *testing.T) {
	x := shpIota(3, 2)
	got := runOp(t, "Compress", 11, attrsOf(attrInt("axis", 0)), 1, x, shpBools(true, false, true))[0]
	shpWantF64(t, got, []int{2, 2}, []float64{0, 1, 4, 5})
	got = runOp(t, "Compress", 11, attrsOf(attrInt("axis", -1)), 1, x, shpBools(false, true))[0]
	shpWantF64(t, got, []int{3, 1}, []float64{1, 3, 5})
	// Without axis: the flattened input; a short condition drops the rest.
	got = runOp(t, "Compress", 11, nil, 1, x, shpBools(false, true, true))[0]
	shpWantF64(t, got, []int{2}, []float64{1, 2})
	got = runOp(t, "Compress", 11, attrsOf(attrInt("axis", 0)), 1, x, shpBools(false))[0]
	shpWantF64(t, got, []int{0, 2}, nil)
}

func TestCompressErrors(t *testing.T) {
	x := shpIota(3, 2)
	shpWantErr(t, runOpErr("Compress", 11, attrsOf(attrInt("axis", 1)), 1, x, shpBools(true, false, true)), tensor.ErrShape)
	shpWantErr(t, runOpErr("Compress", 11, attrsOf(attrInt("axis", 2)), 1, x, shpBools(true)), tensor.ErrShape)
	shpWantErr(t, runOpErr("Compress", 11, nil, 1, x, shpI64(1)), tensor.ErrDType)
}

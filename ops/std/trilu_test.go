package std

import (
	"testing"

	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestTriluMatchesDefinition(t *testing.T) {
	shape := []int{2, 3, 5}
	x := shpIota(shape...)
	for _, upper := range []int64{0, 1} {
		for _, k := range []int64{-7, -2, -1, 0, 1, 3, 9} {
			want := make([]float64, x.Len())
			for p := range want {
				idx := shpUnravel(p, shape)
				i, j := int64(idx[1]), int64(idx[2])
				if (upper == 1 && j-i >= k) || (upper == 0 && j-i <= k) {
					want[p] = float64(p)
				}
			}
			got := runOp(t, "Trilu", 14, attrsOf(attrInt("upper", upper)), 1, x, tensor.Scalar(k))[0]
			shpWantF64(t, got, shape, want)
		}
	}
	// Without k: the main diagonal.
	got := runOp(t, "Trilu", 14, attrsOf(attrInt("upper", 0)), 1, shpIota(2, 2))[0]
	shpWantF64(t, got, []int{2, 2}, []float64{0, 0, 2, 3})
}

func TestTriluErrors(t *testing.T) {
	shpWantErr(t, runOpErr("Trilu", 14, nil, 1, shpIota(3)), tensor.ErrShape)
	shpWantErr(t, runOpErr("Trilu", 14, nil, 1, shpIota(2, 2), shpI64(1, 2)), tensor.ErrShape)
	shpWantErr(t, runOpErr("Trilu", 14, nil, 1, shpIota(2, 2), tensor.Scalar(1.0)), tensor.ErrDType)
}

package std

import (
	"testing"

	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestCumSumMatchesDefinition(t *testing.T) {
	shape := []int{2, 3, 4}
	x := shpIota(shape...)
	for axis := -3; axis < 3; axis++ {
		a := (axis + 3) % 3
		for _, excl := range []int64{0, 1} {
			for _, rev := range []int64{0, 1} {
				want := make([]float64, x.Len())
				for p := range want {
					idx := shpUnravel(p, shape)
					for q := 0; q < shape[a]; q++ {
						in := (rev == 0 && q < idx[a]) || (rev == 1 && q > idx[a]) || (excl == 0 && q == idx[a])
						if in {
							j := append([]int(nil), idx...)
							j[a] = q
							want[p] += float64(shpRavel(j, shape))
						}
					}
				}
				attrs := attrsOf(attrInt("exclusive", excl), attrInt("reverse", rev))
				got := runOp(t, "CumSum", 14, attrs, 1, x, tensor.Scalar(int32(axis)))[0]
				shpWantF64(t, got, shape, want)
			}
		}
	}
	gi := runOp(t, "CumSum", 14, nil, 1, tensor.MustFromSlice([]int{3}, []int64{1, 2, 3}), shpI64(0))[0]
	shpWantI64(t, gi, []int{3}, []int64{1, 3, 6})
}

func TestCumSumErrors(t *testing.T) {
	x := shpIota(2, 2)
	shpWantErr(t, runOpErr("CumSum", 14, nil, 1, x, shpI64(2)), tensor.ErrShape)
	shpWantErr(t, runOpErr("CumSum", 14, nil, 1, x, shpI64(0, 1)), tensor.ErrShape)
	shpWantErr(t, runOpErr("CumSum", 14, nil, 1, tensor.Make[bool](2), shpI64(0)), tensor.ErrDType)
}

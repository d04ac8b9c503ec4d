package std

import (
	"math"
	"testing"

	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestNonZero(t *testing.T) {
	x := shpF64([]int{2, 3}, 0, 1, 0, math.NaN(), 0, -2)
	shpWantI64(t, runOp(t, "NonZero", 13, nil, 1, x)[0], []int{2, 3}, []int64{0, 1, 1, 1, 0, 2})
	b := tensor.MustFromSlice([]int{3}, []bool{false, true, true})
	shpWantI64(t, runOp(t, "NonZero", 13, nil, 1, b)[0], []int{1, 2}, []int64{1, 2})
	shpWantI64(t, runOp(t, "NonZero", 13, nil, 1, tensor.Make[int32](2, 2))[0], []int{2, 0}, nil)
	shpWantI64(t, runOp(t, "NonZero", 13, nil, 1, tensor.Scalar(int64(5)))[0], []int{1, 1}, []int64{0})
	shpWantErr(t, runOpErr("NonZero", 13, nil, 1, tensor.Scalar("a")), tensor.ErrDType)
}

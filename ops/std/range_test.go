package std

import (
	"math"
	"testing"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestRangeValues(t *testing.T) {
	got := runOp(t, "Range", 11, nil, 1, tensor.Scalar(1.0), tensor.Scalar(2.0), tensor.Scalar(0.3))[0]
	want := []float64{1, 1.3, 1.6, 1.9}
	assertClose(t, got, shpF64([]int{4}, want...), 0, 1e-12)
	got = runOp(t, "Range", 11, nil, 1, tensor.Scalar(int64(10)), tensor.Scalar(int64(4)), tensor.Scalar(int64(-3)))[0]
	shpWantI64(t, got, []int{2}, []int64{10, 7})
	got = runOp(t, "Range", 11, nil, 1, tensor.Scalar(int64(0)), tensor.Scalar(int64(-4)), tensor.Scalar(int64(1)))[0]
	shpWantI64(t, got, []int{0}, nil)
	g16 := runOp(t, "Range", 11, nil, 1, tensor.Scalar(int16(-2)), tensor.Scalar(int16(3)), tensor.Scalar(int16(2)))[0]
	if d := tensor.Data[int16](g16); len(d) != 3 || d[2] != 2 {
		t.Fatalf("int16 range %v", d)
	}
	// Extreme int64 ends do not overflow the count.
	got = runOp(t, "Range", 11, nil, 1, tensor.Scalar(int64(math.MinInt64)), tensor.Scalar(int64(math.MaxInt64)), tensor.Scalar(int64(math.MaxInt64)))[0]
	shpWantI64(t, got, []int{3}, []int64{math.MinInt64, -1, math.MaxInt64 - 1})
}

func TestRangeErrors(t *testing.T) {
	shpWantErr(t, runOpErr("Range", 11, nil, 1, tensor.Scalar(0.0), tensor.Scalar(1.0), tensor.Scalar(0.0)), tensor.ErrShape)
	shpWantErr(t, runOpErr("Range", 11, nil, 1, tensor.Scalar(int32(0)), tensor.Scalar(int32(1)), tensor.Scalar(int32(0))), tensor.ErrShape)
	shpWantErr(t, runOpErr("Range", 11, nil, 1, tensor.Scalar(0.0), tensor.Scalar(float32(1)), tensor.Scalar(1.0)), tensor.ErrDType)
	shpWantErr(t, runOpErr("Range", 11, nil, 1, tensor.Scalar(uint8(0)), tensor.Scalar(uint8(1)), tensor.Scalar(uint8(1))), tensor.ErrDType)
	shpWantErr(t, runOpErr("Range", 11, nil, 1, shpI64(0, 1), tensor.Scalar(int64(1)), tensor.Scalar(int64(1))), tensor.ErrShape)
	shpWantErr(t, runOpErr("Range", 11, nil, 1, tensor.Scalar(0.0), tensor.Scalar(1e12), tensor.Scalar(1.0)), runtime.ErrTooLarge)
	shpWantErr(t, runOpErr("Range", 11, nil, 1, tensor.Scalar(0.0), tensor.Scalar(math.Inf(1)), tensor.Scalar(1.0)), runtime.ErrTooLarge)
	shpWantErr(t, runOpErr("Range", 11, nil, 1, tensor.Scalar(int64(0)), tensor.Scalar(int64(1e12)), tensor.Scalar(int64(1))), runtime.ErrTooLarge)
	shpWantErr(t, runOpErr("Range", 11, nil, 1, tensor.Scalar(math.NaN()), tensor.Scalar(1.0), tensor.Scalar(1.0)), tensor.ErrShape)
}

package std

import (
	"math"
	"testing"

	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestIsInf(t *testing.T) {
	x := tensor.MustFromSlice([]int{4}, []float64{math.Inf(1), math.Inf(-1), math.NaN(), 1e308})
	for _, c := range []struct {
		pos, neg int64
		want     []bool
	}{
		{1, 1, []bool{true, true, false, false}},
		{1, 0, []bool{true, false, false, false}},
		{0, 1, []bool{false, true, false, false}},
		{0, 0, []bool{false, false, false, false}},
	} {
		attrs := attrsOf(attrInt("detect_positive", c.pos), attrInt("detect_negative", c.neg))
		for _, dt := range []tensor.DType{tensor.Float64, tensor.Float32, tensor.Float16} {
			xc, err := tensor.Convert(x, dt)
			if err != nil {
				t.Fatal(err)
			}
			got := tensor.Data[bool](runOp(t, "IsInf", 10, attrs, 1, xc)[0])
			want := c.want
			if dt != tensor.Float64 { // 1e308 overflows to +Inf in the narrower types
				want = append(append([]bool(nil), want[:3]...), c.pos == 1)
			}
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("%v pos=%d neg=%d: got %v want %v", dt, c.pos, c.neg, got, want)
				}
			}
		}
	}
	ewExpectErr(t, "int", runOpErr("IsInf", 10, nil, 1, tensor.Scalar(int64(0))), tensor.ErrDType)
}

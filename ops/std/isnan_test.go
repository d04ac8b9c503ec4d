package std

import (
	"math"
	"testing"

	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestIsNaN(t *testing.T) {
	vals := []float64{math.NaN(), 0, math.Inf(1), -1, math.Copysign(math.NaN(), -1)}
	want := []bool{true, false, false, false, true}
	x := tensor.MustFromSlice([]int{5}, vals)
	for _, dt := range []tensor.DType{tensor.Float64, tensor.Float32, tensor.Float16, tensor.BFloat16} {
		xc, err := tensor.Convert(x, dt)
		if err != nil {
			t.Fatal(err)
		}
		got := tensor.Data[bool](runOp(t, "IsNaN", 13, nil, 1, xc)[0])
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("%v: got %v want %v", dt, got, want)
			}
		}
	}
	ewExpectErr(t, "int", runOpErr("IsNaN", 13, nil, 1, tensor.Scalar(int32(0))), tensor.ErrDType)
}

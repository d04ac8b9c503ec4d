package std

import (
	"math"
	"testing"

	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestSign(t *testing.T) {
	sign := func(x float64) float64 {
		switch {
		case x > 0:
			return 1
		case x < 0:
			return -1
		}
		return x
	}
	ewCheckUnary(t, "Sign", 13, nil, sign, -5, 5)
	ewCheckUnarySpecial(t, "Sign", 13, nil, []float64{0, -3, 2, math.Inf(-1), math.NaN()}, []float64{0, -1, 1, -1, math.NaN()})
	got := runOp(t, "Sign", 13, nil, 1, tensor.MustFromSlice([]int{3}, []int32{-9, 0, 4}))[0]
	if d := tensor.Data[int32](got); d[0] != -1 || d[1] != 0 || d[2] != 1 {
		t.Fatalf("int32: %v", d)
	}
	u := runOp(t, "Sign", 13, nil, 1, tensor.MustFromSlice([]int{2}, []uint64{0, 9}))[0]
	if d := tensor.Data[uint64](u); d[0] != 0 || d[1] != 1 {
		t.Fatalf("uint64: %v", d)
	}
	ewExpectErr(t, "bool", runOpErr("Sign", 13, nil, 1, tensor.Scalar(true)), tensor.ErrDType)
}

func TestSignGradientIsZero(t *testing.T) {
	// Piecewise constant: finite differences away from the steps are 0.
	x := tensor.MustFromSlice([]int{4}, []float64{-1.3, -0.2, 0.4, 2.7})
	gradCheck(t, "Sign", 13, nil, []*tensor.Tensor{x}, 0)
}

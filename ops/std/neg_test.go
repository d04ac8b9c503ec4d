package std

import (
	"math"
	"testing"

	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestNeg(t *testing.T) {
	ewCheckUnary(t, "Neg", 13, nil, func(x float64) float64 { return -x }, -5, 5)
	got := runOp(t, "Neg", 13, nil, 1, tensor.MustFromSlice([]int{3}, []int8{5, -128, 0}))[0]
	if d := tensor.Data[int8](got); d[0] != -5 || d[1] != -128 || d[2] != 0 {
		t.Fatalf("int8: %v", d)
	}
	got = runOp(t, "Neg", 13, nil, 1, tensor.Scalar(int64(math.MaxInt64)))[0]
	if d := tensor.Data[int64](got); d[0] != -math.MaxInt64 {
		t.Fatalf("int64: %v", d)
	}
	ewExpectErr(t, "unsigned", runOpErr("Neg", 13, nil, 1, tensor.Scalar(uint8(1))), tensor.ErrDType)
	ewExpectErr(t, "bool", runOpErr("Neg", 13, nil, 1, tensor.Scalar(true)), tensor.ErrDType)
}

func TestNegGradient(t *testing.T) {
	ewGradUnary(t, "Neg", 13, nil, -2, 2)
	ewGradUnaryF32(t, "Neg", 13, nil, -2, 2)
}

package std

import (
	"math"
	"testing"

	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestReciprocal(t *testing.T) {
	ewCheckUnary(t, "Reciprocal", 13, nil, func(x float64) float64 { return 1 / x }, 0.5, 4)
	ewCheckUnarySpecial(t, "Reciprocal", 13, nil,
		[]float64{2, 0, -4, math.Inf(1)},
		[]float64{0.5, math.Inf(1), -0.25, 0})
	ewExpectErr(t, "Reciprocal of a string", runOpErr("Reciprocal", 13, nil, 1, tensor.Scalar("1")), tensor.ErrDType)
}

func TestReciprocalRejectsIntegers(t *testing.T) {
	ewExpectErr(t, "Reciprocal of int32", runOpErr("Reciprocal", 13, nil, 1, tensor.Scalar(int32(1))), tensor.ErrDType)
}

func TestReciprocalGradient(t *testing.T) {
	ewGradUnary(t, "Reciprocal", 13, nil, 0.5, 3)
	ewGradUnaryF32(t, "Reciprocal", 13, nil, 0.5, 3)
}

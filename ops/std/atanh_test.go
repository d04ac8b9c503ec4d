package std

import (
	"math"
	"testing"

	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestAtanh(t *testing.T) {
	ewCheckUnary(t, "Atanh", 9, nil, math.Atanh, -0.99, 0.99)
	ewCheckUnarySpecial(t, "Atanh", 9, nil,
		[]float64{0, 1, -1, 2},
		[]float64{0, math.Inf(1), math.Inf(-1), math.NaN()})
	ewExpectErr(t, "Atanh of a string", runOpErr("Atanh", 9, nil, 1, tensor.Scalar("1")), tensor.ErrDType)
}

func TestAtanhRejectsIntegers(t *testing.T) {
	ewExpectErr(t, "Atanh of int32", runOpErr("Atanh", 9, nil, 1, tensor.Scalar(int32(1))), tensor.ErrDType)
}

func TestAtanhGradient(t *testing.T) {
	ewGradUnary(t, "Atanh", 9, nil, -0.9, 0.9)
	ewGradUnaryF32(t, "Atanh", 9, nil, -0.9, 0.9)
}

package std

import (
	"math"
	"testing"

	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestAtan(t *testing.T) {
	ewCheckUnary(t, "Atan", 7, nil, math.Atan, -10, 10)
	ewCheckUnarySpecial(t, "Atan", 7, nil,
		[]float64{0, math.Inf(1)},
		[]float64{0, math.Pi / 2})
	ewExpectErr(t, "Atan of a string", runOpErr("Atan", 7, nil, 1, tensor.Scalar("1")), tensor.ErrDType)
}

func TestAtanRejectsIntegers(t *testing.T) {
	ewExpectErr(t, "Atan of int32", runOpErr("Atan", 7, nil, 1, tensor.Scalar(int32(1))), tensor.ErrDType)
}

func TestAtanGradient(t *testing.T) {
	ewGradUnary(t, "Atan", 7, nil, -3, 3)
	ewGradUnaryF32(t, "Atan", 7, nil, -3, 3)
}

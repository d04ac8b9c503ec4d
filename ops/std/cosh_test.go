package std

import (
	"math"
	"testing"

	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestCosh(t *testing.T) {
	ewCheckUnary(t, "Cosh", 9, nil, math.Cosh, -5, 5)
	ewCheckUnarySpecial(t, "Cosh", 9, nil,
		[]float64{0, math.Inf(-1)},
		[]float64{1, math.Inf(1)})
	ewExpectErr(t, "Cosh of a string", runOpErr("Cosh", 9, nil, 1, tensor.Scalar("1")), tensor.ErrDType)
}

func TestCoshRejectsIntegers(t *testing.T) {
	ewExpectErr(t, "Cosh of int32", runOpErr("Cosh", 9, nil, 1, tensor.Scalar(int32(1))), tensor.ErrDType)
}

func TestCoshGradient(t *testing.T) {
	ewGradUnary(t, "Cosh", 9, nil, -2, 2)
	ewGradUnaryF32(t, "Cosh", 9, nil, -2, 2)
}

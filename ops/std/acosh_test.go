package std

import (
	"math"
	"testing"

	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestAcosh(t *testing.T) {
	ewCheckUnary(t, "Acosh", 9, nil, math.Acosh, 1, 10)
	ewCheckUnarySpecial(t, "Acosh", 9, nil,
		[]float64{1, 0.5},
		[]float64{0, math.NaN()})
	ewExpectErr(t, "Acosh of a string", runOpErr("Acosh", 9, nil, 1, tensor.Scalar("1")), tensor.ErrDType)
}

func TestAcoshRejectsIntegers(t *testing.T) {
	ewExpectErr(t, "Acosh of int32", runOpErr("Acosh", 9, nil, 1, tensor.Scalar(int32(1))), tensor.ErrDType)
}

func TestAcoshGradient(t *testing.T) {
	ewGradUnary(t, "Acosh", 9, nil, 1.2, 4)
	ewGradUnaryF32(t, "Acosh", 9, nil, 1.2, 4)
}

package std

import (
	"math"
	"testing"

	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestAcos(t *testing.T) {
	ewCheckUnary(t, "Acos", 7, nil, math.Acos, -1, 1)
	ewCheckUnarySpecial(t, "Acos", 7, nil,
		[]float64{1, -1, 2},
		[]float64{0, math.Pi, math.NaN()})
	ewExpectErr(t, "Acos of a string", runOpErr("Acos", 7, nil, 1, tensor.Scalar("1")), tensor.ErrDType)
}

func TestAcosRejectsIntegers(t *testing.T) {
	ewExpectErr(t, "Acos of int32", runOpErr("Acos", 7, nil, 1, tensor.Scalar(int32(1))), tensor.ErrDType)
}

func TestAcosGradient(t *testing.T) {
	ewGradUnary(t, "Acos", 7, nil, -0.9, 0.9)
	ewGradUnaryF32(t, "Acos", 7, nil, -0.9, 0.9)
}

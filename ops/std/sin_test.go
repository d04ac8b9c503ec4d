package std

import (
	"math"
	"testing"

	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestSin(t *testing.T) {
	ewCheckUnary(t, "Sin", 7, nil, math.Sin, -6, 6)
	ewCheckUnarySpecial(t, "Sin", 7, nil,
		[]float64{0, math.Pi / 2},
		[]float64{0, 1})
	ewExpectErr(t, "Sin of a string", runOpErr("Sin", 7, nil, 1, tensor.Scalar("1")), tensor.ErrDType)
}

func TestSinRejectsIntegers(t *testing.T) {
	ewExpectErr(t, "Sin of int32", runOpErr("Sin", 7, nil, 1, tensor.Scalar(int32(1))), tensor.ErrDType)
}

func TestSinGradient(t *testing.T) {
	ewGradUnary(t, "Sin", 7, nil, -3, 3)
	ewGradUnaryF32(t, "Sin", 7, nil, -3, 3)
}

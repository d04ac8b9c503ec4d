package std

import (
	"math"
	"testing"

	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestCos(t *testing.T) {
	ewCheckUnary(t, "Cos", 7, nil, math.Cos, -6, 6)
	ewCheckUnarySpecial(t, "Cos", 7, nil,
		[]float64{0, math.Pi},
		[]float64{1, -1})
	ewExpectErr(t, "Cos of a string", runOpErr("Cos", 7, nil, 1, tensor.Scalar("1")), tensor.ErrDType)
}

func TestCosRejectsIntegers(t *testing.T) {
	ewExpectErr(t, "Cos of int32", runOpErr("Cos", 7, nil, 1, tensor.Scalar(int32(1))), tensor.ErrDType)
}

func TestCosGradient(t *testing.T) {
	ewGradUnary(t, "Cos", 7, nil, -3, 3)
	ewGradUnaryF32(t, "Cos", 7, nil, -3, 3)
}

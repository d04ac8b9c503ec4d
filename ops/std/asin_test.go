package std

import (
	"math"
	"testing"

	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestAsin(t *testing.T) {
	ewCheckUnary(t, "Asin", 7, nil, math.Asin, -1, 1)
	ewCheckUnarySpecial(t, "Asin", 7, nil,
		[]float64{0, 1, 2},
		[]float64{0, math.Pi / 2, math.NaN()})
	ewExpectErr(t, "Asin of a string", runOpErr("Asin", 7, nil, 1, tensor.Scalar("1")), tensor.ErrDType)
}

func TestAsinRejectsIntegers(t *testing.T) {
	ewExpectErr(t, "Asin of int32", runOpErr("Asin", 7, nil, 1, tensor.Scalar(int32(1))), tensor.ErrDType)
}

func TestAsinGradient(t *testing.T) {
	ewGradUnary(t, "Asin", 7, nil, -0.9, 0.9)
	ewGradUnaryF32(t, "Asin", 7, nil, -0.9, 0.9)
}

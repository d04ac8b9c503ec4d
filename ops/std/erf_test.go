package std

import (
	"math"
	"testing"

	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestErf(t *testing.T) {
	ewCheckUnary(t, "Erf", 13, nil, math.Erf, -3, 3)
	ewCheckUnarySpecial(t, "Erf", 13, nil,
		[]float64{0, math.Inf(1), math.Inf(-1), math.NaN()},
		[]float64{0, 1, -1, math.NaN()})
	ewExpectErr(t, "Erf of a string", runOpErr("Erf", 13, nil, 1, tensor.Scalar("1")), tensor.ErrDType)
}

func TestErfGradient(t *testing.T) {
	ewGradUnary(t, "Erf", 13, nil, -2, 2)
	ewGradUnaryF32(t, "Erf", 13, nil, -2, 2)
}

package std

import (
	"math"
	"testing"

	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestExp(t *testing.T) {
	ewCheckUnary(t, "Exp", 13, nil, math.Exp, -5, 5)
	ewCheckUnarySpecial(t, "Exp", 13, nil,
		[]float64{0, math.Inf(-1), math.Inf(1), math.NaN(), 1},
		[]float64{1, 0, math.Inf(1), math.NaN(), math.E})
	ewExpectErr(t, "Exp of a string", runOpErr("Exp", 13, nil, 1, tensor.Scalar("1")), tensor.ErrDType)
}

func TestExpRejectsIntegers(t *testing.T) {
	ewExpectErr(t, "Exp of int32", runOpErr("Exp", 13, nil, 1, tensor.Scalar(int32(1))), tensor.ErrDType)
}

func TestExpGradient(t *testing.T) {
	ewGradUnary(t, "Exp", 13, nil, -2, 2)
	ewGradUnaryF32(t, "Exp", 13, nil, -2, 2)
}

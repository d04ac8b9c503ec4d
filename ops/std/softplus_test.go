package std

import (
	"math"
	"testing"

	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestSoftplus(t *testing.T) {
	ewCheckUnary(t, "Softplus", 1, nil, func(x float64) float64 { return math.Log(1 + math.Exp(x)) }, -8, 8)
	ewCheckUnarySpecial(t, "Softplus", 1, nil,
		[]float64{0, -800, 800, math.Inf(-1)},
		[]float64{math.Ln2, 0, 800, 0})
	ewExpectErr(t, "Softplus of a string", runOpErr("Softplus", 1, nil, 1, tensor.Scalar("1")), tensor.ErrDType)
}

func TestSoftplusRejectsIntegers(t *testing.T) {
	ewExpectErr(t, "Softplus of int32", runOpErr("Softplus", 1, nil, 1, tensor.Scalar(int32(1))), tensor.ErrDType)
}

func TestSoftplusGradient(t *testing.T) {
	ewGradUnary(t, "Softplus", 1, nil, -3, 3)
	ewGradUnaryF32(t, "Softplus", 1, nil, -3, 3)
}

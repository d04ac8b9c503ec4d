package std

import (
	"math"
	"testing"

	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestSigmoid(t *testing.T) {
	ewCheckUnary(t, "Sigmoid", 13, nil, func(x float64) float64 { return 1 / (1 + math.Exp(-x)) }, -8, 8)
	ewCheckUnarySpecial(t, "Sigmoid", 13, nil,
		[]float64{0, math.Inf(1), math.Inf(-1), -800, 800},
		[]float64{0.5, 1, 0, 0, 1})
	ewExpectErr(t, "Sigmoid of a string", runOpErr("Sigmoid", 13, nil, 1, tensor.Scalar("1")), tensor.ErrDType)
}

func TestSigmoidRejectsIntegers(t *testing.T) {
	ewExpectErr(t, "Sigmoid of int32", runOpErr("Sigmoid", 13, nil, 1, tensor.Scalar(int32(1))), tensor.ErrDType)
}

func TestSigmoidGradient(t *testing.T) {
	ewGradUnary(t, "Sigmoid", 13, nil, -3, 3)
	ewGradUnaryF32(t, "Sigmoid", 13, nil, -3, 3)
}

// TestSigmoid32Accuracy sweeps float32 inputs against the definition.
func TestSigmoid32Accuracy(t *testing.T) {
	ref := func(x float64) float64 { return 1 / (1 + math.Exp(-x)) }
	ewCheckUlps(t, sigmoid32, ref, -40, 40)
	ewCheckUlps(t, sigmoid32, ref, -18.5, -17.5)
	ewCheckUlps(t, sigmoid32, ref, -1e-3, 1e-3)
	ewCheckUlps(t, sigmoid32, ref, -110, -80)
}

package std

import (
	"math"
	"testing"

	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestTanh(t *testing.T) {
	ewCheckUnary(t, "Tanh", 13, nil, math.Tanh, -5, 5)
	ewCheckUnarySpecial(t, "Tanh", 13, nil,
		[]float64{0, math.Inf(1), math.Inf(-1), 20},
		[]float64{0, 1, -1, 1})
	ewExpectErr(t, "Tanh of a string", runOpErr("Tanh", 13, nil, 1, tensor.Scalar("1")), tensor.ErrDType)
}

func TestTanhRejectsIntegers(t *testing.T) {
	ewExpectErr(t, "Tanh of int32", runOpErr("Tanh", 13, nil, 1, tensor.Scalar(int32(1))), tensor.ErrDType)
}

func TestTanhGradient(t *testing.T) {
	ewGradUnary(t, "Tanh", 13, nil, -2, 2)
	ewGradUnaryF32(t, "Tanh", 13, nil, -2, 2)
}

// TestTanh32Accuracy sweeps float32 inputs against math.Tanh.
func TestTanh32Accuracy(t *testing.T) {
	ewCheckUlps(t, tanh32, math.Tanh, -12, 12)
	ewCheckUlps(t, tanh32, math.Tanh, -1e-3, 1e-3)
	ewCheckUlps(t, tanh32, math.Tanh, -1e-6, 1e-6)
}

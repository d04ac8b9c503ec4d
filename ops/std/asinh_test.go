package std

import (
	"math"
	"testing"

	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestAsinh(t *testing.T) {
	ewCheckUnary(t, "Asinh", 9, nil, math.Asinh, -10, 10)
	ewCheckUnarySpecial(t, "Asinh", 9, nil,
		[]float64{0, math.Inf(-1)},
		[]float64{0, math.Inf(-1)})
	ewExpectErr(t, "Asinh of a string", runOpErr("Asinh", 9, nil, 1, tensor.Scalar("1")), tensor.ErrDType)
}

func TestAsinhRejectsIntegers(t *testing.T) {
	ewExpectErr(t, "Asinh of int32", runOpErr("Asinh", 9, nil, 1, tensor.Scalar(int32(1))), tensor.ErrDType)
}

func TestAsinhGradient(t *testing.T) {
	ewGradUnary(t, "Asinh", 9, nil, -3, 3)
	ewGradUnaryF32(t, "Asinh", 9, nil, -3, 3)
}

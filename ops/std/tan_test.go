package std

import (
	"math"
	"testing"

	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestTan(t *testing.T) {
	ewCheckUnary(t, "Tan", 7, nil, math.Tan, -1.5, 1.5)
	ewCheckUnarySpecial(t, "Tan", 7, nil,
		[]float64{0, math.Pi / 4},
		[]float64{0, math.Tan(math.Pi / 4)})
	ewExpectErr(t, "Tan of a string", runOpErr("Tan", 7, nil, 1, tensor.Scalar("1")), tensor.ErrDType)
}

func TestTanRejectsIntegers(t *testing.T) {
	ewExpectErr(t, "Tan of int32", runOpErr("Tan", 7, nil, 1, tensor.Scalar(int32(1))), tensor.ErrDType)
}

func TestTanGradient(t *testing.T) {
	ewGradUnary(t, "Tan", 7, nil, -1.2, 1.2)
	ewGradUnaryF32(t, "Tan", 7, nil, -1.2, 1.2)
}

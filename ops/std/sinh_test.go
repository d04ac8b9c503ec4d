package std

import (
	"math"
	"testing"

	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestSinh(t *testing.T) {
	ewCheckUnary(t, "Sinh", 9, nil, math.Sinh, -5, 5)
	ewCheckUnarySpecial(t, "Sinh", 9, nil,
		[]float64{0, math.Inf(1)},
		[]float64{0, math.Inf(1)})
	ewExpectErr(t, "Sinh of a string", runOpErr("Sinh", 9, nil, 1, tensor.Scalar("1")), tensor.ErrDType)
}

func TestSinhRejectsIntegers(t *testing.T) {
	ewExpectErr(t, "Sinh of int32", runOpErr("Sinh", 9, nil, 1, tensor.Scalar(int32(1))), tensor.ErrDType)
}

func TestSinhGradient(t *testing.T) {
	ewGradUnary(t, "Sinh", 9, nil, -2, 2)
	ewGradUnaryF32(t, "Sinh", 9, nil, -2, 2)
}

package std

import (
	"math"
	"testing"

	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestSqrt(t *testing.T) {
	ewCheckUnary(t, "Sqrt", 13, nil, math.Sqrt, 0, 10)
	ewCheckUnarySpecial(t, "Sqrt", 13, nil,
		[]float64{4, 0, -1, math.Inf(1), 2.25},
		[]float64{2, 0, math.NaN(), math.Inf(1), 1.5})
	ewExpectErr(t, "Sqrt of a string", runOpErr("Sqrt", 13, nil, 1, tensor.Scalar("1")), tensor.ErrDType)
}

func TestSqrtRejectsIntegers(t *testing.T) {
	ewExpectErr(t, "Sqrt of int32", runOpErr("Sqrt", 13, nil, 1, tensor.Scalar(int32(1))), tensor.ErrDType)
}

func TestSqrtGradient(t *testing.T) {
	ewGradUnary(t, "Sqrt", 13, nil, 0.2, 3)
	ewGradUnaryF32(t, "Sqrt", 13, nil, 0.2, 3)
}

package std

import (
	"math"
	"testing"

	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestCeil(t *testing.T) {
	ewCheckUnary(t, "Ceil", 13, nil, math.Ceil, -5, 5)
	ewCheckUnarySpecial(t, "Ceil", 13, nil,
		[]float64{1.5, -1.5, 2, 0.25, math.Inf(-1), math.NaN()},
		[]float64{2, -1, 2, 1, math.Inf(-1), math.NaN()})
	ewExpectErr(t, "Ceil of a string", runOpErr("Ceil", 13, nil, 1, tensor.Scalar("1")), tensor.ErrDType)
}

func TestCeilRejectsIntegers(t *testing.T) {
	ewExpectErr(t, "Ceil of int32", runOpErr("Ceil", 13, nil, 1, tensor.Scalar(int32(1))), tensor.ErrDType)
}

func TestCeilGradientIsZero(t *testing.T) {
	// Piecewise constant: finite differences away from the steps are 0.
	x := tensor.MustFromSlice([]int{4}, []float64{-1.3, -0.2, 0.4, 2.7})
	gradCheck(t, "Ceil", 13, nil, []*tensor.Tensor{x}, 0)
}

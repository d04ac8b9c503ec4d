package std

import (
	"math"
	"testing"

	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestRound(t *testing.T) {
	ewCheckUnary(t, "Round", 11, nil, math.RoundToEven, -5, 5)
	ewCheckUnarySpecial(t, "Round", 11, nil,
		[]float64{0.5, 1.5, 2.5, -1.5, -2.5, 2.4, -2.6, 3},
		[]float64{0, 2, 2, -2, -2, 2, -3, 3})
	ewExpectErr(t, "Round of a string", runOpErr("Round", 11, nil, 1, tensor.Scalar("1")), tensor.ErrDType)
}

func TestRoundRejectsIntegers(t *testing.T) {
	ewExpectErr(t, "Round of int32", runOpErr("Round", 11, nil, 1, tensor.Scalar(int32(1))), tensor.ErrDType)
}

func TestRoundGradientIsZero(t *testing.T) {
	// Piecewise constant: finite differences away from the steps are 0.
	x := tensor.MustFromSlice([]int{4}, []float64{-1.3, -0.2, 0.4, 2.7})
	gradCheck(t, "Round", 11, nil, []*tensor.Tensor{x}, 0)
}

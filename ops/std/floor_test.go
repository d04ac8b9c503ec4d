package std

import (
	"math"
	"testing"

	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestFloor(t *testing.T) {
	ewCheckUnary(t, "Floor", 13, nil, math.Floor, -5, 5)
	ewCheckUnarySpecial(t, "Floor", 13, nil,
		[]float64{1.5, -1.5, 2, -0.25, math.Inf(1), math.NaN()},
		[]float64{1, -2, 2, -1, math.Inf(1), math.NaN()})
	ewExpectErr(t, "Floor of a string", runOpErr("Floor", 13, nil, 1, tensor.Scalar("1")), tensor.ErrDType)
}

func TestFloorRejectsIntegers(t *testing.T) {
	ewExpectErr(t, "Floor of int32", runOpErr("Floor", 13, nil, 1, tensor.Scalar(int32(1))), tensor.ErrDType)
}

func TestFloorGradientIsZero(t *testing.T) {
	// Piecewise constant: finite differences away from the steps are 0.
	x := tensor.MustFromSlice([]int{4}, []float64{-1.3, -0.2, 0.4, 2.7})
	gradCheck(t, "Floor", 13, nil, []*tensor.Tensor{x}, 0)
}

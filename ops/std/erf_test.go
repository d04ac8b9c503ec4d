package std

import (
	"math"
	"testing"

	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestErf(t *testing.T) {
	ewCheckUnary(t, "Erf", 13, nil, math.Erf, -3, 3)
	ewCheckUnarySpecial(t, "Erf", 13, nil,
		[]float64{0, math.Inf(1), math.Inf(-1), math.NaN()},
		[]float64{0, 1, -1, math.NaN()})
	ewExpectErr(t, "Erf of a string", runOpErr("Erf", 13, nil, 1, tensor.Scalar("1")), tensor.ErrDType)
}

func TestErfGradient(t *testing.T) {
	ewGradUnary(t, "Erf", 13, nil, -2, 2)
	ewGradUnaryF32(t, "Erf", 13, nil, -2, 2)
}

func TestErfIntegers(t *testing.T) {
	// erf of an integer, truncated: 0 for 0 and ±1 from |x| >= 6 on (where
	// erf rounds to ±1 in float64), else 0.
	got := runOp(t, "Erf", 13, nil, 1, tensor.MustFromSlice([]int{4}, []int32{0, 1, 7, -7}))[0]
	want := []int32{0, 0, 1, -1}
	for i, v := range tensor.Data[int32](got) {
		if v != want[i] {
			t.Fatalf("got %v want %v", tensor.Data[int32](got), want)
		}
	}
}

// TestErf32Accuracy sweeps float32 inputs: the fast float32 kernel must be
// within one ulp of math.Erf rounded to float32 (the correctly rounded
// value up to math.Erf's own error).
func TestErf32Accuracy(t *testing.T) {
	ewCheckUlps(t, erf32, math.Erf, -5, 5)
}

package std

import (
	"math"
	"testing"

	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestSoftsign(t *testing.T) {
	ewCheckUnary(t, "Softsign", 1, nil, func(x float64) float64 { return x / (1 + math.Abs(x)) }, -8, 8)
	ewCheckUnarySpecial(t, "Softsign", 1, nil,
		[]float64{0, 1, -3},
		[]float64{0, 0.5, -0.75})
	ewExpectErr(t, "Softsign of a string", runOpErr("Softsign", 1, nil, 1, tensor.Scalar("1")), tensor.ErrDType)
}

func TestSoftsignRejectsIntegers(t *testing.T) {
	ewExpectErr(t, "Softsign of int32", runOpErr("Softsign", 1, nil, 1, tensor.Scalar(int32(1))), tensor.ErrDType)
}

func TestSoftsignGradient(t *testing.T) {
	ewGradUnary(t, "Softsign", 1, nil, -3, 3)
	ewGradUnaryF32(t, "Softsign", 1, nil, -3, 3)
}

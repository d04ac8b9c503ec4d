package std

import (
	"math"
	"testing"

	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestLog(t *testing.T) {
	ewCheckUnary(t, "Log", 13, nil, math.Log, 0.01, 10)
	ewCheckUnarySpecial(t, "Log", 13, nil,
		[]float64{1, 0, -1, math.Inf(1), math.E},
		[]float64{0, math.Inf(-1), math.NaN(), math.Inf(1), 1})
	ewExpectErr(t, "Log of a string", runOpErr("Log", 13, nil, 1, tensor.Scalar("1")), tensor.ErrDType)
}

func TestLogRejectsIntegers(t *testing.T) {
	ewExpectErr(t, "Log of int32", runOpErr("Log", 13, nil, 1, tensor.Scalar(int32(1))), tensor.ErrDType)
}

func TestLogGradient(t *testing.T) {
	ewGradUnary(t, "Log", 13, nil, 0.2, 3)
	ewGradUnaryF32(t, "Log", 13, nil, 0.2, 3)
}

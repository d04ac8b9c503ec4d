package std

import (
	"testing"

	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestLeakyRelu(t *testing.T) {
	ref := func(a float64) func(float64) float64 {
		return func(x float64) float64 {
			if x < 0 {
				return a * x
			}
			return x
		}
	}
	ewCheckUnary(t, "LeakyRelu", 16, nil, ref(float64(float32(0.01))), -5, 5)
	ewCheckUnary(t, "LeakyRelu", 16, attrsOf(attrFloat("alpha", 0.5)), ref(0.5), -5, 5)
	ewCheckUnarySpecial(t, "LeakyRelu", 6, attrsOf(attrFloat("alpha", 0.25)), []float64{-4, 0, 3}, []float64{-1, 0, 3})
	ewExpectErr(t, "int", runOpErr("LeakyRelu", 16, nil, 1, tensor.Scalar(int32(-1))), tensor.ErrDType)
}

func TestLeakyReluGradient(t *testing.T) {
	ewGradUnary(t, "LeakyRelu", 16, attrsOf(attrFloat("alpha", 0.2)), -2, 2)
	ewGradUnaryF32(t, "LeakyRelu", 16, attrsOf(attrFloat("alpha", 0.2)), -2, 2)
}

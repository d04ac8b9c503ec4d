package std

import (
	"math"
	"testing"
)

func TestSelu(t *testing.T) {
	ref := func(a, g float64) func(float64) float64 {
		return func(x float64) float64 {
			if x > 0 {
				return g * x
			}
			return g * (a*math.Exp(x) - a)
		}
	}
	// The defaults are the float32 values of the SELU constants.
	ewCheckUnary(t, "Selu", 6, nil, ref(float64(float32(1.6732632423543772)), float64(float32(1.0507009873554805))), -5, 5)
	ewCheckUnary(t, "Selu", 6, attrsOf(attrFloat("alpha", 2), attrFloat("gamma", 3)), ref(2, 3), -5, 5)
}

func TestSeluGradient(t *testing.T) {
	ewGradUnary(t, "Selu", 6, nil, -2, 2)
	ewGradUnaryF32(t, "Selu", 6, nil, -2, 2)
}

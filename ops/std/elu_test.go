package std

import (
	"math"
	"testing"
)

func TestElu(t *testing.T) {
	ref := func(a float64) func(float64) float64 {
		return func(x float64) float64 {
			if x < 0 {
				return a * (math.Exp(x) - 1)
			}
			return x
		}
	}
	ewCheckUnary(t, "Elu", 6, nil, ref(1), -5, 5)
	ewCheckUnary(t, "Elu", 6, attrsOf(attrFloat("alpha", 2)), ref(2), -5, 5)
	ewCheckUnarySpecial(t, "Elu", 6, attrsOf(attrFloat("alpha", 2)), []float64{math.Inf(-1), 0, 3}, []float64{-2, 0, 3})
}

func TestEluGradient(t *testing.T) {
	ewGradUnary(t, "Elu", 6, attrsOf(attrFloat("alpha", 1.5)), -2, 2)
	ewGradUnaryF32(t, "Elu", 6, attrsOf(attrFloat("alpha", 1.5)), -2, 2)
}

package std

import (
	"testing"
)

func TestHardSigmoid(t *testing.T) {
	ref := func(a, b float64) func(float64) float64 {
		return func(x float64) float64 { return max(0, min(1, a*x+b)) }
	}
	ewCheckUnaryLoose(t, "HardSigmoid", 6, nil, ref(float64(float32(0.2)), 0.5), -5, 5)
	ewCheckUnaryLoose(t, "HardSigmoid", 6, attrsOf(attrFloat("alpha", 0.5), attrFloat("beta", 0.25)), ref(0.5, 0.25), -5, 5)
	ewCheckUnarySpecial(t, "HardSigmoid", 6, attrsOf(attrFloat("alpha", 0.5), attrFloat("beta", 0.25)), []float64{-10, 0, 1, 10}, []float64{0, 0.25, 0.75, 1})
}

func TestHardSigmoidGradient(t *testing.T) {
	ewGradUnary(t, "HardSigmoid", 6, attrsOf(attrFloat("alpha", 0.25)), -5, 5)
}

package std

import (
	"testing"
)

func TestThresholdedRelu(t *testing.T) {
	ref := func(a float64) func(float64) float64 {
		return func(x float64) float64 {
			if x > a {
				return x
			}
			return 0
		}
	}
	ewCheckUnary(t, "ThresholdedRelu", 10, nil, ref(1), -5, 5)
	ewCheckUnary(t, "ThresholdedRelu", 10, attrsOf(attrFloat("alpha", 2)), ref(2), -5, 5)
	ewCheckUnarySpecial(t, "ThresholdedRelu", 10, attrsOf(attrFloat("alpha", 2)), []float64{2, 2.5, -3}, []float64{0, 2.5, 0})
}

func TestThresholdedReluGradient(t *testing.T) {
	ewGradUnary(t, "ThresholdedRelu", 10, attrsOf(attrFloat("alpha", 0.3)), -2, 2)
}

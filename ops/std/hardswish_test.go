package std

import (
	"testing"
)

func TestHardSwish(t *testing.T) {
	ref := func(x float64) float64 { return x * max(0, min(1, x/6+0.5)) }
	ewCheckUnaryLoose(t, "HardSwish", 14, nil, ref, -6, 6)
	ewCheckUnarySpecial(t, "HardSwish", 14, nil, []float64{-4, -3, 0, 3, 5}, []float64{0, 0, 0, 3, 5})
}

func TestHardSwishGradient(t *testing.T) {
	ewGradUnary(t, "HardSwish", 14, nil, -5, 5)
	ewGradUnaryF32(t, "HardSwish", 14, nil, -5, 5)
}

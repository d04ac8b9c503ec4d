package std

import (
	"errors"
	"math"
	"testing"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestCelu(t *testing.T) {
	ref := func(a float64) func(float64) float64 {
		return func(x float64) float64 { return max(0, x) + min(0, a*(math.Exp(x/a)-1)) }
	}
	ewCheckUnary(t, "Celu", 12, nil, ref(1), -5, 5)
	ewCheckUnary(t, "Celu", 12, attrsOf(attrFloat("alpha", 2)), ref(2), -5, 5)
	if err := runOpErr("Celu", 12, attrsOf(attrFloat("alpha", 0)), 1, tensor.MustFromSlice([]int{2}, []float64{1, -1})); !errors.Is(err, runtime.ErrInvalidGraph) {
		t.Fatalf("alpha 0: %v", err)
	}
}

func TestCeluGradient(t *testing.T) {
	ewGradUnary(t, "Celu", 12, attrsOf(attrFloat("alpha", 0.7)), -2, 2)
}

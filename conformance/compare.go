package conformance

import (
	"fmt"
	"math"

	"github.com/optnet-go/optnet/runtime/tensor"
)

// Compare checks got against want: same dtype and shape; floats within
// tol (NaN equals NaN, infinities must match); everything else exactly. It
// returns "" on a match, else a description of the worst mismatch.
func Compare(got, want *tensor.Tensor, tol Tolerances) string {
	if got == nil {
		return "missing"
	}
	if got.DType() != want.DType() {
		return fmt.Sprintf("dtype %v, want %v", got.DType(), want.DType())
	}
	if !tensor.SameShape(got.Shape(), want.Shape()) {
		return fmt.Sprintf("shape %s, want %s", tensor.ShapeString(got.Shape()), tensor.ShapeString(want.Shape()))
	}
	if got.DType().IsFloat() {
		g, _ := tensor.Float64s(got)
		w, _ := tensor.Float64s(want)
		worst, at := 0.0, -1
		for i := range w {
			a, b := g[i], w[i]
			if math.IsNaN(b) {
				if !math.IsNaN(a) {
					return fmt.Sprintf("element %d is %v, want NaN", i, a)
				}
				continue
			}
			if math.IsInf(b, 0) || math.IsInf(a, 0) || math.IsNaN(a) {
				if a != b {
					return fmt.Sprintf("element %d is %v, want %v", i, a, b)
				}
				continue
			}
			excess := math.Abs(a-b) - (tol.Atol + tol.Rtol*math.Abs(b))
			if excess > 0 && (at < 0 || excess > worst) {
				worst, at = excess, i
			}
		}
		if at >= 0 {
			return fmt.Sprintf("element %d is %v, want %v (|diff| %.3g)", at, g[at], w[at], math.Abs(g[at]-w[at]))
		}
		return ""
	}
	switch g := got.Raw().(type) {
	case []string:
		w := tensor.Data[string](want)
		for i := range w {
			if g[i] != w[i] {
				return fmt.Sprintf("element %d is %q, want %q", i, g[i], w[i])
			}
		}
	case []bool:
		w := tensor.Data[bool](want)
		for i := range w {
			if g[i] != w[i] {
				return fmt.Sprintf("element %d is %v, want %v", i, g[i], w[i])
			}
		}
	default:
		gi, _ := tensor.Int64s(got)
		wi, _ := tensor.Int64s(want)
		for i := range wi {
			if gi[i] != wi[i] {
				return fmt.Sprintf("element %d is %d, want %d", i, gi[i], wi[i])
			}
		}
	}
	return ""
}

package std

import (
	"errors"
	"math"
	"math/rand"
	"testing"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// refGroupNorm normalises x (n, c, s) over groups of c/g channels; the
// affine parameters are per channel when perChannel, else per group.
func refGroupNorm(x []float64, n, c, s, g int, scale, bias []float64, perChannel bool, eps float64) []float64 {
	y := make([]float64, len(x))
	cg := c / g
	for i := 0; i < n; i++ {
		for gr := 0; gr < g; gr++ {
			var vals []float64
			for ch := gr * cg; ch < (gr+1)*cg; ch++ {
				for j := 0; j < s; j++ {
					vals = append(vals, x[(i*c+ch)*s+j])
				}
			}
			mu, va := 0.0, 0.0
			for _, v := range vals {
				mu += v
			}
			mu /= float64(len(vals))
			for _, v := range vals {
				va += (v - mu) * (v - mu)
			}
			va /= float64(len(vals))
			for ch := gr * cg; ch < (gr+1)*cg; ch++ {
				p := gr
				if perChannel {
					p = ch
				}
				for j := 0; j < s; j++ {
					q := (i*c+ch)*s + j
					y[q] = (x[q]-mu)/math.Sqrt(va+eps)*scale[p] + bias[p]
				}
			}
		}
	}
	return y
}

func TestGroupNorm(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	shape := []int{2, 4, 3}
	x := randF64(rng, -2, 2, shape...)
	attrs := attrsOf(attrInt("num_groups", 2), attrFloat("epsilon", 1e-3))
	eps := float64(float32(1e-3))
	// Opset 18: per-group parameters.
	s, b := randF64(rng, 0.5, 1.5, 2), randF64(rng, -1, 1, 2)
	want := refGroupNorm(tensor.Data[float64](x), 2, 4, 3, 2, tensor.Data[float64](s), tensor.Data[float64](b), false, eps)
	assertClose(t, runOp(t, "GroupNormalization", 18, attrs, 1, x, s, b)[0], normF64(shape, want), 1e-12, 1e-12)
	// Opset 21: per-channel parameters.
	sc, bc := randF64(rng, 0.5, 1.5, 4), randF64(rng, -1, 1, 4)
	want = refGroupNorm(tensor.Data[float64](x), 2, 4, 3, 2, tensor.Data[float64](sc), tensor.Data[float64](bc), true, eps)
	assertClose(t, runOp(t, "GroupNormalization", 21, attrs, 1, x, sc, bc)[0], normF64(shape, want), 1e-12, 1e-12)

	if err := runOpErr("GroupNormalization", 18, attrsOf(attrInt("num_groups", 3)), 1, x, randF64(rng, 0, 1, 3), randF64(rng, 0, 1, 3)); !errors.Is(err, tensor.ErrShape) {
		t.Errorf("4 channels in 3 groups: %v", err)
	}
	if err := runOpErr("GroupNormalization", 21, attrs, 1, x, s, b); !errors.Is(err, tensor.ErrShape) {
		t.Errorf("per-group parameters at opset 21: %v", err)
	}
	if err := runOpErr("GroupNormalization", 18, nil, 1, x, s, b); !errors.Is(err, runtime.ErrInvalidGraph) {
		t.Errorf("missing num_groups: %v", err)
	}
	gradCheck(t, "GroupNormalization", 18, attrs, []*tensor.Tensor{randF64(rng, -2, 2, 2, 4, 3), randF64(rng, 0.5, 1.5, 2), randF64(rng, -1, 1, 2)}, 0, 1, 2)
	gradCheck(t, "GroupNormalization", 21, attrs, []*tensor.Tensor{randF64(rng, -2, 2, 2, 4, 3), randF64(rng, 0.5, 1.5, 4), randF64(rng, -1, 1, 4)}, 0, 1, 2)
}

package std

import (
	"errors"
	"math/rand"
	"testing"

	"github.com/optnet-go/optnet/runtime/tensor"
)

// refGroupNorm (groupnormalization_test.go) with one group per channel is
// instance normalisation.

func TestInstanceNorm(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	shape := []int{2, 3, 2, 3}
	x := randF64(rng, -2, 2, shape...)
	s, b := randF64(rng, 0.5, 1.5, 3), randF64(rng, -1, 1, 3)
	want := refGroupNorm(tensor.Data[float64](x), 2, 3, 6, 3, tensor.Data[float64](s), tensor.Data[float64](b), true, float64(float32(1e-2)))
	got := runOp(t, "InstanceNormalization", 6, attrsOf(attrFloat("epsilon", 1e-2)), 1, x, s, b)[0]
	assertClose(t, got, normF64(shape, want), 1e-12, 1e-12)
	x32, _ := tensor.Convert(x, tensor.Float32)
	s32, _ := tensor.Convert(s, tensor.Float32)
	b32, _ := tensor.Convert(b, tensor.Float32)
	got = runOp(t, "InstanceNormalization", 1, attrsOf(attrFloat("epsilon", 1e-2)), 1, x32, s32, b32)[0]
	assertClose(t, got, normF64(shape, want), 1e-5, 1e-5)

	if err := runOpErr("InstanceNormalization", 6, nil, 1, x, randF64(rng, 0, 1, 2), b); !errors.Is(err, tensor.ErrShape) {
		t.Errorf("scale of 2 for 3 channels: %v", err)
	}
	if err := runOpErr("InstanceNormalization", 6, nil, 1, x, s32, b); !errors.Is(err, tensor.ErrDType) {
		t.Errorf("mixed dtypes: %v", err)
	}
	if err := runOpErr("InstanceNormalization", 6, nil, 1, randF64(rng, 0, 1, 3), s, b); !errors.Is(err, tensor.ErrShape) {
		t.Errorf("rank 1: %v", err)
	}
	gradCheck(t, "InstanceNormalization", 6, nil, []*tensor.Tensor{randF64(rng, -2, 2, 2, 3, 4), randF64(rng, 0.5, 1.5, 3), randF64(rng, -1, 1, 3)}, 0, 1, 2)
}

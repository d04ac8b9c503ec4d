package std

import (
	"errors"
	"math"
	"math/rand"
	"testing"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestLRNMatchesDefinition(t *testing.T) {
	rng := rand.New(rand.NewSource(15))
	x := randF64(rng, -2, 2, 2, 5, 3)
	xd := nnF64s(x)
	for _, size := range []int{1, 2, 3, 4} {
		alpha, beta, bias := float64(float32(0.3)), float64(float32(0.6)), float64(float32(1.5))
		want := make([]float64, len(xd))
		for i := range want {
			idx := nnUnravelIdx(i, x.Shape())
			sum := 0.0
			// Channels c-⌊(size-1)/2⌋ … c+⌈(size-1)/2⌉.
			for cc := idx[1] - (size-1)/2; cc <= idx[1]+int(math.Ceil(float64(size-1)/2)); cc++ {
				if cc >= 0 && cc < 5 {
					v := xd[nnRavelIdx([]int{idx[0], cc, idx[2]}, x.Shape())]
					sum += v * v
				}
			}
			want[i] = xd[i] / math.Pow(bias+alpha/float64(size)*sum, beta)
		}
		attrs := attrsOf(attrInt("size", int64(size)), attrFloat("alpha", 0.3), attrFloat("beta", 0.6), attrFloat("bias", 1.5))
		assertClose(t, runOp(t, "LRN", 13, attrs, 1, x)[0], nnF64Tensor(x.Shape(), want), 1e-12, 1e-12)
		assertClose(t, runOp(t, "LRN", 13, attrs, 1, nnCast(x, tensor.Float32))[0], nnF64Tensor(x.Shape(), want), 1e-5, 1e-6)
	}
}

func TestLRNErrors(t *testing.T) {
	if err := runOpErr("LRN", 13, nil, 1, tensor.Make[float32](1, 2, 2)); !errors.Is(err, runtime.ErrInvalidGraph) {
		t.Errorf("missing size: %v", err)
	}
	if err := runOpErr("LRN", 13, attrsOf(attrInt("size", 0)), 1, tensor.Make[float32](1, 2, 2)); !errors.Is(err, runtime.ErrInvalidGraph) {
		t.Errorf("size 0: %v", err)
	}
	if err := runOpErr("LRN", 13, attrsOf(attrInt("size", 3)), 1, tensor.Make[float32](4)); !errors.Is(err, tensor.ErrShape) {
		t.Errorf("rank 1: %v", err)
	}
	if err := runOpErr("LRN", 13, attrsOf(attrInt("size", 3)), 1, tensor.Make[int32](1, 2)); !errors.Is(err, tensor.ErrDType) {
		t.Errorf("int32: %v", err)
	}
}

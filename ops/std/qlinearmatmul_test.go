package std

import (
	"errors"
	"math"
	"math/rand"
	"testing"

	"github.com/optnet-go/optnet/runtime/tensor"
)

// qRequant is the QLinear requantization by its definition, in float32 as
// the reference runtimes compute it.
func qRequant(acc float64, mult float32, zp float64, lo, hi float64) float64 {
	return math.Max(lo, math.Min(hi, math.RoundToEven(float64(float32(acc)*mult))+zp))
}

func TestQLinearMatMul(t *testing.T) {
	rng := rand.New(rand.NewSource(19))
	a, b := nnRandU8(rng, 2, 3, 4), nnRandI8(rng, 4, 5)
	azp, bzp := tensor.Scalar(uint8(113)), tensor.Scalar(int8(-3))
	as, bs := tensor.Scalar(float32(0.0066)), tensor.MustFromSlice([]int{5}, []float32{0.004, 0.005, 0.006, 0.007, 0.008})
	ys, yzp := tensor.Scalar(float32(0.0123)), tensor.Scalar(int8(5))
	got := runOp(t, "QLinearMatMul", 10, nil, 1, a, as, azp, b, bs, bzp, ys, yzp)[0]
	acc := refMatMul(qMinusZP(a, azp, []int{}), qMinusZP(b, bzp, []int{}))
	av := nnF64s(acc)
	want := make([]float64, len(av))
	for i, v := range av {
		mult := float32(0.0066) * tensor.Data[float32](bs)[i%5] / float32(0.0123)
		want[i] = qRequant(v, mult, 5, -128, 127)
	}
	if got.DType() != tensor.Int8 {
		t.Fatalf("dtype %v", got.DType())
	}
	assertClose(t, got, nnF64Tensor(acc.Shape(), want), 0, 0)
	// A per-row a_scale that does not match the rows fails.
	if err := runOpErr("QLinearMatMul", 10, nil, 1, a, tensor.Make[float32](4), azp, b, bs, bzp, ys, yzp); !errors.Is(err, tensor.ErrShape) {
		t.Fatalf("bad a_scale: %v", err)
	}
	if err := runOpErr("QLinearMatMul", 10, nil, 1, a, as, azp, b, bs, bzp, ys, tensor.Scalar(int32(0))); !errors.Is(err, tensor.ErrDType) {
		t.Fatalf("int32 output: %v", err)
	}
}

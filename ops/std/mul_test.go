package std

import (
	"math/rand"
	"testing"

	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestMulBroadcast(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	mul := func(x, y float64) float64 { return x * y }
	for _, sh := range [][2][]int{{{2, 1, 4}, {3, 1}}, {{5}, {}}, {{}, {2, 2}}, {{3, 4}, {3, 4}}, {{0, 3}, {1, 3}}} {
		a, b := randF64(rng, -5, 5, sh[0]...), randF64(rng, -5, 5, sh[1]...)
		want := ewNaiveBinary(a, b, mul)
		assertClose(t, runOp(t, "Mul", 14, nil, 1, a, b)[0], want, 0, 0)
		assertClose(t, runOp(t, "Mul", 14, nil, 1, ewToF32(t, a), ewToF32(t, b))[0], want, 1e-6, 1e-6)
	}
}

func TestMulLargeParallel(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	a, b := ewRandF32(rng, -2, 2, 8, 1, 9000), ewRandF32(rng, -2, 2, 1, 6, 1)
	want := ewNaiveBinary(a, b, func(x, y float64) float64 { return float64(float32(x) * float32(y)) })
	assertClose(t, runOp(t, "Mul", 14, nil, 1, a, b)[0], want, 0, 0)
}

func TestMulTypes(t *testing.T) {
	got := runOp(t, "Mul", 14, nil, 1, tensor.MustFromSlice([]int{2}, []uint8{16, 3}), tensor.Scalar(uint8(17)))[0]
	if d := tensor.Data[uint8](got); d[0] != 16 || d[1] != 51 { // 272 wraps to 16
		t.Fatalf("uint8: %v", d)
	}
	h := runOp(t, "Mul", 14, nil, 1, tensor.Scalar(tensor.BF16From(1.5)), tensor.Scalar(tensor.BF16From(-4)))[0]
	if v := tensor.Data[tensor.BF16](h)[0].Float32(); v != -6 {
		t.Fatalf("bfloat16: %v", v)
	}
}

func TestMulErrors(t *testing.T) {
	ewExpectErr(t, "mixed dtypes", runOpErr("Mul", 14, nil, 1, tensor.Make[float64](2), tensor.Make[float32](2)), tensor.ErrDType)
	ewExpectErr(t, "shapes", runOpErr("Mul", 14, nil, 1, tensor.Make[float32](3), tensor.Make[float32](2)), tensor.ErrShape)
	ewExpectErr(t, "bools", runOpErr("Mul", 14, nil, 1, tensor.Scalar(true), tensor.Scalar(true)), tensor.ErrDType)
}

func TestMulGradient(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	gradCheck(t, "Mul", 14, nil, []*tensor.Tensor{randF64(rng, -1, 1, 2, 3, 4), randF64(rng, -1, 1, 3, 1)}, 0, 1)
	gradCheck(t, "Mul", 14, nil, []*tensor.Tensor{randF64(rng, -1, 1), randF64(rng, -1, 1, 2, 2)}, 0, 1)
	gradCheck(t, "Mul", 6, attrsOf(attrInt("broadcast", 1), attrInt("axis", 1)), []*tensor.Tensor{randF64(rng, -1, 1, 2, 3, 4), randF64(rng, -1, 1, 3)}, 0, 1)
}

package std

import (
	"math"
	"math/rand"
	"testing"

	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestPowFloat(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	a, b := randF64(rng, 0.1, 3, 2, 3), randF64(rng, -2, 2, 3)
	want := ewNaiveBinary(a, b, math.Pow)
	assertClose(t, runOp(t, "Pow", 15, nil, 1, a, b)[0], want, 1e-15, 0)
	assertClose(t, runOp(t, "Pow", 15, nil, 1, ewToF32(t, a), ewToF32(t, b))[0], ewNaiveBinary(ewToF32(t, a), ewToF32(t, b), math.Pow), 1e-6, 0)
	// The squaring fast path, including negative bases.
	x := randF64(rng, -3, 3, 4, 5)
	assertClose(t, runOp(t, "Pow", 15, nil, 1, ewToF32(t, x), tensor.Scalar(float32(2)))[0], ewMapRef(ewToF32(t, x), func(v float64) float64 { return v * v }), 1e-7, 0)
	assertClose(t, runOp(t, "Pow", 15, nil, 1, ewToF32(t, x), tensor.MustFromSlice([]int{1, 1}, []float32{2}))[0], ewMapRef(ewToF32(t, x), func(v float64) float64 { return v * v }), 1e-7, 0)
	// A negative base to a fractional power is NaN.
	if v := tensor.Data[float32](runOp(t, "Pow", 15, nil, 1, tensor.Scalar(float32(-8)), tensor.Scalar(float32(1.0/3)))[0])[0]; !math.IsNaN(float64(v)) {
		t.Fatalf("(-8)^(1/3) = %v, want NaN", v)
	}
}

func TestPowMixedTypes(t *testing.T) {
	// float base, integer exponent.
	got := runOp(t, "Pow", 15, nil, 1, tensor.MustFromSlice([]int{3}, []float32{1.5, 2, -3}), tensor.MustFromSlice([]int{3}, []int64{2, -1, 3}))[0]
	assertClose(t, got, tensor.MustFromSlice([]int{3}, []float64{2.25, 0.5, -27}), 0, 0)
	if got.DType() != tensor.Float32 {
		t.Fatalf("dtype %v", got.DType())
	}
	// integer base, float exponent: truncated.
	got = runOp(t, "Pow", 15, nil, 1, tensor.MustFromSlice([]int{3}, []int32{2, 9, -2}), tensor.MustFromSlice([]int{3}, []float32{0.5, 0.5, 3}))[0]
	if d := tensor.Data[int32](got); d[0] != 1 || d[1] != 3 || d[2] != -8 {
		t.Fatalf("int32^float: %v", d)
	}
	// integer base, integer exponent: exact in 64 bits.
	got = runOp(t, "Pow", 15, nil, 1, tensor.MustFromSlice([]int{4}, []int64{3, 7, -1, 2}), tensor.MustFromSlice([]int{4}, []int64{39, 0, -3, -2}))[0]
	if d := tensor.Data[int64](got); d[0] != 4052555153018976267 || d[1] != 1 || d[2] != -1 || d[3] != 0 {
		t.Fatalf("int64^int64: %v", d)
	}
	got = runOp(t, "Pow", 15, nil, 1, tensor.Scalar(int32(2)), tensor.MustFromSlice([]int{2}, []uint8{10, 31}))[0]
	if d := tensor.Data[int32](got); d[0] != 1024 || d[1] != math.MinInt32 {
		t.Fatalf("int32^uint8: %v", d)
	}
	// float16 base.
	h := runOp(t, "Pow", 15, nil, 1, tensor.Scalar(tensor.F16From(3)), tensor.Scalar(int32(2)))[0]
	if v := tensor.Data[tensor.F16](h)[0].Float32(); v != 9 {
		t.Fatalf("float16: %v", v)
	}
}

func TestPowLegacyBroadcast(t *testing.T) {
	a := tensor.MustFromSlice([]int{2, 2}, []float32{2, 2, 3, 3})
	b := tensor.MustFromSlice([]int{2}, []float32{1, 2})
	got := runOp(t, "Pow", 1, attrsOf(attrInt("broadcast", 1), attrInt("axis", 0)), 1, a, b)[0]
	assertClose(t, got, tensor.MustFromSlice([]int{2, 2}, []float64{2, 2, 9, 9}), 0, 0)
}

func TestPowErrors(t *testing.T) {
	ewExpectErr(t, "bool exponent", runOpErr("Pow", 15, nil, 1, tensor.Scalar(float32(2)), tensor.Scalar(true)), tensor.ErrDType)
	ewExpectErr(t, "string base", runOpErr("Pow", 15, nil, 1, tensor.Scalar("2"), tensor.Scalar(float32(2))), tensor.ErrDType)
	ewExpectErr(t, "shapes", runOpErr("Pow", 15, nil, 1, tensor.Make[float32](2), tensor.Make[float32](3)), tensor.ErrShape)
}

func TestPowGradient(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	gradCheck(t, "Pow", 15, nil, []*tensor.Tensor{randF64(rng, 0.5, 2, 2, 3), randF64(rng, -2, 2, 3)}, 0, 1)
	gradCheck(t, "Pow", 15, nil, []*tensor.Tensor{randF64(rng, 0.5, 2, 3, 1), randF64(rng, -2, 2, 1, 4)}, 0, 1)
	gradCheck(t, "Pow", 1, attrsOf(attrInt("broadcast", 1), attrInt("axis", 0)), []*tensor.Tensor{randF64(rng, 0.5, 2, 2, 3), randF64(rng, -2, 2, 2)}, 0, 1)
	// Negative base with an integer exponent: only the base's gradient
	// exists.
	gradCheck(t, "Pow", 15, nil, []*tensor.Tensor{randF64(rng, -2, -0.5, 4), tensor.MustFromSlice([]int{1}, []float64{3})}, 0)
}

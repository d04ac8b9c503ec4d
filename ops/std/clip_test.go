package std

import (
	"math"
	"math/rand"
	"testing"

	"github.com/optnet-go/optnet/runtime/tensor"
)

func clipRef(lo, hi float64) func(float64) float64 {
	return func(x float64) float64 { return min(max(x, lo), hi) }
}

func TestClipInputs(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	x := randF64(rng, -3, 3, 3, 4)
	lo, hi := tensor.Scalar(-1.0), tensor.Scalar(2.0)
	assertClose(t, runOp(t, "Clip", 13, nil, 1, x, lo, hi)[0], ewMapRef(x, clipRef(-1, 2)), 0, 0)
	assertClose(t, runOp(t, "Clip", 13, nil, 1, x, lo)[0], ewMapRef(x, clipRef(-1, math.Inf(1))), 0, 0)
	assertClose(t, runOp(t, "Clip", 13, nil, 1, x, nil, hi)[0], ewMapRef(x, clipRef(math.Inf(-1), 2)), 0, 0)
	assertClose(t, runOp(t, "Clip", 13, nil, 1, x)[0], x, 0, 0)
	x32 := ewToF32(t, x)
	assertClose(t, runOp(t, "Clip", 13, nil, 1, x32, tensor.Scalar(float32(-1)), tensor.Scalar(float32(2)))[0], ewMapRef(x32, clipRef(-1, 2)), 0, 0)
	// min > max: everything becomes max.
	assertClose(t, runOp(t, "Clip", 13, nil, 1, x, hi, lo)[0], ewMapRef(x, func(float64) float64 { return -1 }), 0, 0)
	// NaN stays NaN; bounds given as 1-element tensors.
	got := tensor.Data[float32](runOp(t, "Clip", 13, nil, 1, tensor.Scalar(float32(math.NaN())), tensor.MustFromSlice([]int{1}, []float32{0}), nil)[0])
	if !math.IsNaN(float64(got[0])) {
		t.Fatalf("NaN: %v", got)
	}
	// float16 goes through float32.
	h, _ := tensor.Convert(x, tensor.Float16)
	hl, _ := tensor.Convert(lo, tensor.Float16)
	assertClose(t, runOp(t, "Clip", 13, nil, 1, h, hl, nil)[0], ewMapRef(h, clipRef(-1, math.Inf(1))), 0, 0)
}

func TestClipIntegers(t *testing.T) {
	x := tensor.MustFromSlice([]int{5}, []int8{-128, -5, 0, 5, 127})
	got := tensor.Data[int8](runOp(t, "Clip", 13, nil, 1, x, tensor.Scalar(int8(-3)), tensor.Scalar(int8(4)))[0])
	want := []int8{-3, -3, 0, 4, 4}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("int8: got %v want %v", got, want)
		}
	}
	got = tensor.Data[int8](runOp(t, "Clip", 13, nil, 1, x, nil, tensor.Scalar(int8(1)))[0])
	want = []int8{-128, -5, 0, 1, 1}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("int8 max only: got %v want %v", got, want)
		}
	}
	u := tensor.Data[uint64](runOp(t, "Clip", 13, nil, 1, tensor.MustFromSlice([]int{2}, []uint64{1, math.MaxUint64}), tensor.Scalar(uint64(2)))[0])
	if u[0] != 2 || u[1] != math.MaxUint64 {
		t.Fatalf("uint64: %v", u)
	}
	i64 := tensor.Data[int64](runOp(t, "Clip", 13, nil, 1, tensor.Scalar(int64(math.MaxInt64)), nil, tensor.Scalar(int64(math.MaxInt64-1)))[0])
	if i64[0] != math.MaxInt64-1 {
		t.Fatalf("int64 precision: %v", i64)
	}
}

func TestClipAttributes(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	x := randF64(rng, -3, 3, 3, 4)
	attrs := attrsOf(attrFloat("min", -0.5), attrFloat("max", 0.5))
	assertClose(t, runOp(t, "Clip", 6, attrs, 1, x)[0], ewMapRef(x, clipRef(-0.5, 0.5)), 0, 0)
	assertClose(t, runOp(t, "Clip", 6, attrsOf(attrFloat("max", 1)), 1, ewToF32(t, x))[0], ewMapRef(ewToF32(t, x), clipRef(math.Inf(-1), 1)), 0, 0)
	assertClose(t, runOp(t, "Clip", 1, nil, 1, x)[0], x, 0, 0)
	ewExpectErr(t, "int input with attributes", runOpErr("Clip", 6, attrs, 1, tensor.Scalar(int32(1))), tensor.ErrDType)
}

func TestClipErrors(t *testing.T) {
	x := tensor.Make[float32](3)
	ewExpectErr(t, "bound dtype", runOpErr("Clip", 13, nil, 1, x, tensor.Scalar(1.0)), tensor.ErrDType)
	ewExpectErr(t, "bound shape", runOpErr("Clip", 13, nil, 1, x, tensor.Make[float32](2)), tensor.ErrShape)
	ewExpectErr(t, "string", runOpErr("Clip", 13, nil, 1, tensor.Scalar("a")), tensor.ErrDType)
}

func TestClipGradient(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	x := randF64(rng, -3, 3, 4, 5)
	gradCheck(t, "Clip", 13, nil, []*tensor.Tensor{x, tensor.Scalar(-1.0), tensor.Scalar(1.5)}, 0)
	gradCheck(t, "Clip", 13, nil, []*tensor.Tensor{x, nil, tensor.Scalar(0.5)}, 0)
	gradCheck(t, "Clip", 6, attrsOf(attrFloat("min", -2), attrFloat("max", 0.25)), []*tensor.Tensor{x}, 0)
	// Only inside the bounds (inclusive), by hand; bounds get none.
	in := []*tensor.Tensor{tensor.MustFromSlice([]int{4}, []float64{-2, -1, 0.5, 2}), tensor.Scalar(-1.0), tensor.Scalar(1.0)}
	f, k, err := runtimeRunNode(t, "Clip", in)
	if err != nil {
		t.Fatal(err)
	}
	gs, err := runtimeBackward(t, k, f, tensor.MustFromSlice([]int{4}, []float64{3, 3, 3, 3}))
	if err != nil {
		t.Fatal(err)
	}
	if d := tensor.Data[float64](gs[0]); d[0] != 0 || d[1] != 3 || d[2] != 3 || d[3] != 0 || gs[1] != nil || gs[2] != nil {
		t.Fatalf("gradients %v", gs)
	}
}

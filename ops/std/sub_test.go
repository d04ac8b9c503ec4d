package std

import (
	"math/rand"
	"testing"

	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestSubBroadcast(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	a, b := randF64(rng, -5, 5, 2, 1, 4), randF64(rng, -5, 5, 3, 1)
	want := ewNaiveBinary(a, b, func(x, y float64) float64 { return x - y })
	assertClose(t, runOp(t, "Sub", 14, nil, 1, a, b)[0], want, 0, 0)
	assertClose(t, runOp(t, "Sub", 14, nil, 1, ewToF32(t, a), ewToF32(t, b))[0], want, 1e-6, 1e-6)
	// Scalar on the left.
	s := tensor.Scalar(2.0)
	assertClose(t, runOp(t, "Sub", 14, nil, 1, s, b)[0], ewNaiveBinary(s, b, func(x, y float64) float64 { return x - y }), 0, 0)
}

func TestSubIntegersWrap(t *testing.T) {
	got := runOp(t, "Sub", 14, nil, 1, tensor.MustFromSlice([]int{2}, []uint8{3, 200}), tensor.MustFromSlice([]int{2}, []uint8{5, 100}))[0]
	if d := tensor.Data[uint8](got); d[0] != 254 || d[1] != 100 {
		t.Fatalf("uint8: %v", d)
	}
	got = runOp(t, "Sub", 14, nil, 1, tensor.Scalar(int64(-9)), tensor.Scalar(int64(4)))[0]
	if d := tensor.Data[int64](got); d[0] != -13 {
		t.Fatalf("int64: %v", d)
	}
}

func TestSubLegacyBroadcast(t *testing.T) {
	a := tensor.Make[float32](2, 3, 2)
	b := tensor.MustFromSlice([]int{2}, []float32{1, 2})
	got := runOp(t, "Sub", 6, attrsOf(attrInt("broadcast", 1), attrInt("axis", 0)), 1, a, b)[0]
	d := tensor.Data[float32](got)
	if d[0] != -1 || d[5] != -1 || d[6] != -2 || d[11] != -2 {
		t.Fatalf("axis-0 legacy broadcast: %v", d)
	}
}

func TestSubErrors(t *testing.T) {
	ewExpectErr(t, "mixed dtypes", runOpErr("Sub", 14, nil, 1, tensor.Make[float32](2), tensor.Make[int32](2)), tensor.ErrDType)
	ewExpectErr(t, "shapes", runOpErr("Sub", 14, nil, 1, tensor.Make[float32](2, 3), tensor.Make[float32](2)), tensor.ErrShape)
	ewExpectErr(t, "strings", runOpErr("Sub", 14, nil, 1, tensor.Scalar("a"), tensor.Scalar("b")), tensor.ErrDType)
	ewExpectErr(t, "legacy axis", runOpErr("Sub", 6, attrsOf(attrInt("broadcast", 1), attrInt("axis", 2)), 1, tensor.Make[float32](2, 3), tensor.Make[float32](3)), tensor.ErrShape)
}

func TestSubGradient(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	gradCheck(t, "Sub", 14, nil, []*tensor.Tensor{randF64(rng, -1, 1, 2, 3, 4), randF64(rng, -1, 1, 3, 1)}, 0, 1)
	gradCheck(t, "Sub", 14, nil, []*tensor.Tensor{randF64(rng, -1, 1, 1, 4), randF64(rng, -1, 1, 3, 1)}, 0, 1)
	gradCheck(t, "Sub", 6, attrsOf(attrInt("broadcast", 1), attrInt("axis", 1)), []*tensor.Tensor{randF64(rng, -1, 1, 2, 3, 4), randF64(rng, -1, 1, 3)}, 0, 1)
}

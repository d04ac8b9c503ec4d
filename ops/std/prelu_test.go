package std

import (
	"math/rand"
	"testing"

	"github.com/optnet-go/optnet/runtime/tensor"
)

func preluRef(x, s float64) float64 {
	if x < 0 {
		return s * x
	}
	return x
}

func TestPRelu(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	x := randF64(rng, -3, 3, 2, 3, 4)
	for _, sh := range [][]int{{1}, {4}, {3, 1}, {2, 3, 4}, {}} {
		s := randF64(rng, 0, 1, sh...)
		want := ewNaiveBinary(x, s, preluRef)
		assertClose(t, runOp(t, "PRelu", 16, nil, 1, x, s)[0], want, 0, 0)
		assertClose(t, runOp(t, "PRelu", 16, nil, 1, ewToF32(t, x), ewToF32(t, s))[0], want, 1e-6, 1e-6)
	}
	got := runOp(t, "PRelu", 16, nil, 1, tensor.MustFromSlice([]int{3}, []int32{-4, 0, 5}), tensor.Scalar(int32(3)))[0]
	if d := tensor.Data[int32](got); d[0] != -12 || d[1] != 0 || d[2] != 5 {
		t.Fatalf("int32: %v", d)
	}
}

func TestPReluLegacyChannelSlope(t *testing.T) {
	// Before opset 7 a 1-D slope of length C applies along axis 1.
	x := tensor.MustFromSlice([]int{1, 2, 3}, []float64{-1, -1, -1, -1, 1, -2})
	s := tensor.MustFromSlice([]int{2}, []float64{0.5, 0.25})
	got := tensor.Data[float64](runOp(t, "PRelu", 6, nil, 1, x, s)[0])
	want := []float64{-0.5, -0.5, -0.5, -0.25, 1, -0.5}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("got %v want %v", got, want)
		}
	}
	// At opset 7 the same slope broadcasts against the last axis, which
	// does not fit.
	ewExpectErr(t, "opset 7 slope", runOpErr("PRelu", 7, nil, 1, x, s), tensor.ErrShape)
}

func TestPReluErrors(t *testing.T) {
	x := tensor.Make[float32](2, 3)
	ewExpectErr(t, "slope larger than x", runOpErr("PRelu", 16, nil, 1, x, tensor.Make[float32](4, 2, 3)), tensor.ErrShape)
	ewExpectErr(t, "mixed dtypes", runOpErr("PRelu", 16, nil, 1, x, tensor.Make[float64](3)), tensor.ErrDType)
}

func TestPReluGradient(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	gradCheck(t, "PRelu", 16, nil, []*tensor.Tensor{randF64(rng, -2, 2, 2, 3, 4), randF64(rng, 0, 1, 3, 1)}, 0, 1)
	gradCheck(t, "PRelu", 6, nil, []*tensor.Tensor{randF64(rng, -2, 2, 2, 3, 2), randF64(rng, 0, 1, 3)}, 0, 1)
}

package std

import (
	"math"
	"math/rand"
	"testing"

	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestDivBroadcast(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	a, b := randF64(rng, -5, 5, 2, 1, 4), randF64(rng, 0.5, 5, 3, 1)
	want := ewNaiveBinary(a, b, func(x, y float64) float64 { return x / y })
	assertClose(t, runOp(t, "Div", 14, nil, 1, a, b)[0], want, 1e-15, 0)
	assertClose(t, runOp(t, "Div", 14, nil, 1, ewToF32(t, a), ewToF32(t, b))[0], want, 1e-6, 1e-6)
}

func TestDivFloatByZero(t *testing.T) {
	got := tensor.Data[float32](runOp(t, "Div", 14, nil, 1, tensor.MustFromSlice([]int{3}, []float32{1, -1, 0}), tensor.Scalar(float32(0)))[0])
	if !math.IsInf(float64(got[0]), 1) || !math.IsInf(float64(got[1]), -1) || !math.IsNaN(float64(got[2])) {
		t.Fatalf("got %v", got)
	}
}

func TestDivIntegers(t *testing.T) {
	got := runOp(t, "Div", 14, nil, 1, tensor.MustFromSlice([]int{4}, []int32{7, -7, 7, -7}), tensor.MustFromSlice([]int{4}, []int32{2, 2, -2, -2}))[0]
	want := []int32{3, -3, -3, 3} // truncation toward zero
	for i, v := range tensor.Data[int32](got) {
		if v != want[i] {
			t.Fatalf("got %v want %v", tensor.Data[int32](got), want)
		}
	}
	u := runOp(t, "Div", 14, nil, 1, tensor.Scalar(uint8(255)), tensor.Scalar(uint8(2)))[0]
	if tensor.Data[uint8](u)[0] != 127 {
		t.Fatalf("uint8: %v", tensor.Data[uint8](u))
	}
	m := runOp(t, "Div", 14, nil, 1, tensor.Scalar(int64(math.MinInt64)), tensor.Scalar(int64(-1)))[0]
	if tensor.Data[int64](m)[0] != math.MinInt64 {
		t.Fatalf("MinInt64 / -1 should wrap: %v", tensor.Data[int64](m))
	}
}

func TestDivErrors(t *testing.T) {
	ewExpectErr(t, "integer division by zero", runOpErr("Div", 14, nil, 1, tensor.MustFromSlice([]int{2}, []int32{1, 2}), tensor.MustFromSlice([]int{2}, []int32{1, 0})), tensor.ErrShape)
	ewExpectErr(t, "uint8 division by zero", runOpErr("Div", 14, nil, 1, tensor.Scalar(uint8(1)), tensor.Scalar(uint8(0))), tensor.ErrShape)
	ewExpectErr(t, "mixed dtypes", runOpErr("Div", 14, nil, 1, tensor.Make[float32](2), tensor.Make[int32](2)), tensor.ErrDType)
	ewExpectErr(t, "shapes", runOpErr("Div", 14, nil, 1, tensor.Make[float32](2, 3), tensor.Make[float32](2)), tensor.ErrShape)
}

func TestDivGradient(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	gradCheck(t, "Div", 14, nil, []*tensor.Tensor{randF64(rng, -1, 1, 2, 3, 4), randF64(rng, 0.5, 2, 3, 1)}, 0, 1)
	gradCheck(t, "Div", 14, nil, []*tensor.Tensor{randF64(rng, -1, 1, 3, 1), randF64(rng, 0.5, 2, 1, 4)}, 0, 1)
	gradCheck(t, "Div", 6, attrsOf(attrInt("broadcast", 1)), []*tensor.Tensor{randF64(rng, -1, 1, 2, 3), randF64(rng, 0.5, 2, 3)}, 0, 1)
}

package std

import (
	"errors"
	"math/rand"
	"testing"

	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestAddBroadcastAndTypes(t *testing.T) {
	a := tensor.MustFromSlice([]int{2, 1, 3}, []int32{1, 2, 3, 4, 5, 6})
	b := tensor.MustFromSlice([]int{2, 1}, []int32{10, 20})
	got := runOp(t, "Add", 14, nil, 1, a, b)[0]
	want := []int32{11, 12, 13, 21, 22, 23, 14, 15, 16, 24, 25, 26}
	if !tensor.SameShape(got.Shape(), []int{2, 2, 3}) {
		t.Fatalf("shape %v", got.Shape())
	}
	for i, v := range tensor.Data[int32](got) {
		if v != want[i] {
			t.Fatalf("got %v want %v", tensor.Data[int32](got), want)
		}
	}
	u := runOp(t, "Add", 14, nil, 1, tensor.Scalar(uint8(250)), tensor.Scalar(uint8(10)))[0]
	if tensor.Data[uint8](u)[0] != 4 {
		t.Fatalf("uint8 add should wrap: %v", tensor.Data[uint8](u))
	}
	h := runOp(t, "Add", 14, nil, 1, tensor.Scalar(tensor.F16From(1.5)), tensor.Scalar(tensor.F16From(2)))[0]
	if tensor.Data[tensor.F16](h)[0].Float32() != 3.5 {
		t.Fatalf("float16 add: %v", h)
	}
}

func TestAddLegacyBroadcast(t *testing.T) {
	a := tensor.Make[float32](2, 3, 4)
	b := tensor.MustFromSlice([]int{3}, []float32{1, 2, 3})
	got := runOp(t, "Add", 6, attrsOf(attrInt("broadcast", 1), attrInt("axis", 1)), 1, a, b)[0]
	if v := tensor.Data[float32](got)[1*4+2]; v != 2 {
		t.Fatalf("legacy axis broadcast: element (0,1,2) = %v", v)
	}
}

func TestAddErrors(t *testing.T) {
	f := tensor.Make[float32](2, 3)
	if err := runOpErr("Add", 14, nil, 1, f, tensor.Make[float32](4)); !errors.Is(err, tensor.ErrShape) {
		t.Fatalf("incompatible shapes: %v", err)
	}
	if err := runOpErr("Add", 14, nil, 1, f, tensor.Make[float64](3)); !errors.Is(err, tensor.ErrDType) {
		t.Fatalf("mixed dtypes: %v", err)
	}
}

func TestAddGradient(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	gradCheck(t, "Add", 14, nil, []*tensor.Tensor{randF64(rng, -1, 1, 2, 3, 4), randF64(rng, -1, 1, 3, 1)}, 0, 1)
}

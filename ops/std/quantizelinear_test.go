package std

import (
	"errors"
	"testing"

	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestQuantizeLinear(t *testing.T) {
	x := tensor.MustFromSlice([]int{8}, []float32{0, 1, 2.5, 3.5, -2.5, 300, -300, 5})
	// Scale 1, zero point 1: round half to even happens before adding the
	// zero point (2.5 -> 2, then 3).
	got := runOp(t, "QuantizeLinear", 13, nil, 1, x, tensor.Scalar(float32(1)), tensor.Scalar(uint8(1)))[0]
	want := []uint8{1, 2, 3, 5, 0, 255, 0, 6}
	for i, v := range tensor.Data[uint8](got) {
		if v != want[i] {
			t.Fatalf("uint8: %v, want %v", tensor.Data[uint8](got), want)
		}
	}
	// int8 with scale 2 and zero point -1 (0.5 and 2.5 round to even).
	got = runOp(t, "QuantizeLinear", 13, nil, 1, x, tensor.Scalar(float32(2)), tensor.Scalar(int8(-1)))[0]
	wantI := []int8{-1, -1, 0, 1, -2, 127, -128, 1}
	for i, v := range tensor.Data[int8](got) {
		if v != wantI[i] {
			t.Fatalf("int8: %v, want %v", tensor.Data[int8](got), wantI)
		}
	}
	// Default zero point: uint8 0.
	got = runOp(t, "QuantizeLinear", 10, nil, 1, x, tensor.Scalar(float32(1)))[0]
	if got.DType() != tensor.Uint8 || tensor.Data[uint8](got)[2] != 2 {
		t.Fatalf("default zero point: %v %v", got, tensor.Data[uint8](got))
	}
	// Per-axis along axis 1 of a 2×3 input.
	xa := tensor.MustFromSlice([]int{2, 3}, []float32{1, 2, 3, 4, 5, 6})
	got = runOp(t, "QuantizeLinear", 13, nil, 1, xa, tensor.MustFromSlice([]int{3}, []float32{1, 2, 4}), tensor.MustFromSlice([]int{3}, []uint8{0, 10, 20}))[0]
	wantA := []uint8{1, 11, 21, 4, 12, 22} // 3/4 = .75 -> 1; 5/2 = 2.5 -> 2; 6/4 = 1.5 -> 2
	for i, v := range tensor.Data[uint8](got) {
		if v != wantA[i] {
			t.Fatalf("per-axis: %v, want %v", tensor.Data[uint8](got), wantA)
		}
	}
	got = runOp(t, "QuantizeLinear", 13, attrsOf(attrInt("axis", 0)), 1, xa, tensor.MustFromSlice([]int{2}, []float32{1, 2}))[0]
	wantB := []uint8{1, 2, 3, 2, 2, 3} // 5/2 = 2.5 -> 2
	for i, v := range tensor.Data[uint8](got) {
		if v != wantB[i] {
			t.Fatalf("axis 0: %v, want %v", tensor.Data[uint8](got), wantB)
		}
	}
}

func TestQuantizeLinearErrors(t *testing.T) {
	x := tensor.Make[float32](2, 3)
	s := tensor.Scalar(float32(1))
	cases := []struct {
		version int
		in      []*tensor.Tensor
		want    error
	}{
		{13, []*tensor.Tensor{x, s, tensor.Scalar(int32(0))}, tensor.ErrDType},
		{13, []*tensor.Tensor{x, tensor.Scalar(int32(1))}, tensor.ErrDType},
		{13, []*tensor.Tensor{tensor.Make[bool](2), s}, tensor.ErrDType},
		{13, []*tensor.Tensor{x, tensor.Make[float32](2)}, tensor.ErrShape},
		{13, []*tensor.Tensor{x, tensor.Make[float32](3), tensor.Make[uint8](2)}, tensor.ErrShape},
		{13, []*tensor.Tensor{x, tensor.Make[float32](1, 3)}, tensor.ErrShape},
		{10, []*tensor.Tensor{x, tensor.Make[float32](3)}, tensor.ErrShape},
	}
	for i, c := range cases {
		if err := runOpErr("QuantizeLinear", c.version, nil, 1, c.in...); !errors.Is(err, c.want) {
			t.Errorf("case %d: got %v, want %v", i, err, c.want)
		}
	}
}

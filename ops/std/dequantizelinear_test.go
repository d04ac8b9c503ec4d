package std

import (
	"errors"
	"testing"

	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestDequantizeLinear(t *testing.T) {
	x := tensor.MustFromSlice([]int{4}, []uint8{0, 3, 128, 255})
	got := runOp(t, "DequantizeLinear", 13, nil, 1, x, tensor.Scalar(float32(0.5)), tensor.Scalar(uint8(128)))[0]
	assertClose(t, got, tensor.MustFromSlice([]int{4}, []float32{-64, -62.5, 0, 63.5}), 0, 0)
	xi := tensor.MustFromSlice([]int{2, 2}, []int8{-128, 127, 1, -1})
	got = runOp(t, "DequantizeLinear", 13, attrsOf(attrInt("axis", 0)), 1, xi, tensor.MustFromSlice([]int{2}, []float32{1, 3}), tensor.MustFromSlice([]int{2}, []int8{0, 1}))[0]
	assertClose(t, got, tensor.MustFromSlice([]int{2, 2}, []float32{-128, 127, 0, -6}), 0, 0)
	x32 := tensor.MustFromSlice([]int{2}, []int32{-1000000, 7})
	got = runOp(t, "DequantizeLinear", 10, nil, 1, x32, tensor.Scalar(float32(2)))[0]
	assertClose(t, got, tensor.MustFromSlice([]int{2}, []float32{-2000000, 14}), 0, 0)
}

func TestDequantizeLinearErrors(t *testing.T) {
	x := tensor.Make[uint8](2, 3)
	s := tensor.Scalar(float32(1))
	cases := []struct {
		in   []*tensor.Tensor
		want error
	}{
		{[]*tensor.Tensor{tensor.Make[float32](2), s}, tensor.ErrDType},
		{[]*tensor.Tensor{x, s, tensor.Scalar(int8(0))}, tensor.ErrDType},
		{[]*tensor.Tensor{x, tensor.Scalar(uint8(1))}, tensor.ErrDType},
		{[]*tensor.Tensor{x, tensor.Make[float32](4)}, tensor.ErrShape},
		{[]*tensor.Tensor{x, tensor.Make[float32](3), tensor.Make[uint8](1)}, tensor.ErrShape},
	}
	for i, c := range cases {
		if err := runOpErr("DequantizeLinear", 13, nil, 1, c.in...); !errors.Is(err, c.want) {
			t.Errorf("case %d: got %v, want %v", i, err, c.want)
		}
	}
}

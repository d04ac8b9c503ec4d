package std

import (
	"errors"
	"math"
	"testing"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestModIntegers(t *testing.T) {
	a := tensor.MustFromSlice([]int{6}, []int64{-4, 7, 5, 4, -7, 8})
	b := tensor.MustFromSlice([]int{6}, []int64{2, -3, 8, -2, 3, 5})
	floor := []int64{0, -2, 5, 0, 2, 3} // sign of the divisor (Python %)
	trunc := []int64{0, 1, 5, 0, -1, 3} // sign of the dividend (C fmod)
	for _, c := range []struct {
		fmod int64
		want []int64
	}{{0, floor}, {1, trunc}} {
		got := tensor.Data[int64](runOp(t, "Mod", 13, attrsOf(attrInt("fmod", c.fmod)), 1, a, b)[0])
		for i := range c.want {
			if got[i] != c.want[i] {
				t.Fatalf("fmod=%d: got %v want %v", c.fmod, got, c.want)
			}
		}
	}
	// Narrow and unsigned types, broadcasting a scalar divisor.
	got := tensor.Data[int8](runOp(t, "Mod", 13, nil, 1, tensor.MustFromSlice([]int{3}, []int8{-128, 127, -5}), tensor.Scalar(int8(-3)))[0])
	if got[0] != -2 || got[1] != -2 || got[2] != -2 {
		t.Fatalf("int8: %v", got)
	}
	u := tensor.Data[uint16](runOp(t, "Mod", 13, nil, 1, tensor.MustFromSlice([]int{2}, []uint16{65535, 7}), tensor.Scalar(uint16(10)))[0])
	if u[0] != 5 || u[1] != 7 {
		t.Fatalf("uint16: %v", u)
	}
}

func TestModFloat(t *testing.T) {
	a := tensor.MustFromSlice([]int{4}, []float64{-4.5, 7.5, 5, 1})
	b := tensor.MustFromSlice([]int{4}, []float64{2, -3, 0, math.Inf(1)})
	got := tensor.Data[float64](runOp(t, "Mod", 13, attrsOf(attrInt("fmod", 1)), 1, a, b)[0])
	want := []float64{-0.5, 1.5, math.NaN(), 1}
	for i := range want {
		if !ewSame(got[i], want[i], 0) {
			t.Fatalf("got %v want %v", got, want)
		}
	}
	h := runOp(t, "Mod", 13, attrsOf(attrInt("fmod", 1)), 1, tensor.Scalar(tensor.F16From(-5)), tensor.Scalar(tensor.F16From(3)))[0]
	if v := tensor.Data[tensor.F16](h)[0].Float32(); v != -2 {
		t.Fatalf("float16: %v", v)
	}
}

func TestModErrors(t *testing.T) {
	ewExpectErr(t, "zero divisor", runOpErr("Mod", 13, nil, 1, tensor.Scalar(int32(3)), tensor.MustFromSlice([]int{2}, []int32{1, 0})), tensor.ErrShape)
	ewExpectErr(t, "float without fmod", runOpErr("Mod", 13, nil, 1, tensor.Scalar(float32(3)), tensor.Scalar(float32(2))), tensor.ErrDType)
	ewExpectErr(t, "mixed dtypes", runOpErr("Mod", 13, nil, 1, tensor.Scalar(int32(3)), tensor.Scalar(int64(2))), tensor.ErrDType)
	if err := runOpErr("Mod", 13, attrsOf(attrInt("fmod", 2)), 1, tensor.Scalar(int32(3)), tensor.Scalar(int32(2))); !errors.Is(err, runtime.ErrInvalidGraph) {
		t.Fatalf("fmod=2: %v", err)
	}
}

func TestModGradient(t *testing.T) {
	// Inputs kept away from the jumps of fmod (a/b near an integer).
	a := tensor.MustFromSlice([]int{2, 3}, []float64{5.3, -7.4, 2.2, 9.6, -4.1, 0.7})
	b := tensor.MustFromSlice([]int{3}, []float64{2.1, 3.3, -1.6})
	gradCheck(t, "Mod", 13, attrsOf(attrInt("fmod", 1)), []*tensor.Tensor{a, b}, 0, 1)
}

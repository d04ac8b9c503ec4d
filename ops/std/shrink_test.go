package std

import (
	"testing"

	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestShrink(t *testing.T) {
	ref := func(l, b float64) func(float64) float64 {
		return func(x float64) float64 {
			switch {
			case x < -l:
				return x + b
			case x > l:
				return x - b
			}
			return 0
		}
	}
	ewCheckUnary(t, "Shrink", 9, nil, ref(0.5, 0), -3, 3)
	ewCheckUnary(t, "Shrink", 9, attrsOf(attrFloat("lambd", 1.5), attrFloat("bias", 1.5)), ref(1.5, 1.5), -3, 3)
	got := runOp(t, "Shrink", 9, attrsOf(attrFloat("lambd", 1), attrFloat("bias", 1)), 1, tensor.MustFromSlice([]int{5}, []int32{-3, -1, 0, 1, 3}))[0]
	want := []int32{-2, 0, 0, 0, 2}
	for i, v := range tensor.Data[int32](got) {
		if v != want[i] {
			t.Fatalf("int32: got %v want %v", tensor.Data[int32](got), want)
		}
	}
	ewExpectErr(t, "bool", runOpErr("Shrink", 9, nil, 1, tensor.Scalar(true)), tensor.ErrDType)
}

func TestShrinkGradient(t *testing.T) {
	ewGradUnary(t, "Shrink", 9, attrsOf(attrFloat("lambd", 0.3), attrFloat("bias", 0.2)), -2, 2)
}

func TestShrinkUnsignedWraps(t *testing.T) {
	got := tensor.Data[uint8](runOp(t, "Shrink", 9, attrsOf(attrFloat("lambd", 0.5), attrFloat("bias", 3)), 1, tensor.MustFromSlice([]int{3}, []uint8{0, 2, 200}))[0])
	if got[0] != 0 || got[1] != 255 || got[2] != 197 {
		t.Fatalf("got %v", got)
	}
}

package std

import (
	"testing"

	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestLess(t *testing.T) {
	ewCheckCompare(t, "Less", 13, func(x, y float64) bool { return x < y })
}

func TestLessLegacyBroadcast(t *testing.T) {
	a := tensor.MustFromSlice([]int{2, 3}, []float32{1, 2, 3, 4, 5, 6})
	b := tensor.MustFromSlice([]int{3}, []float32{2, 5, 4})
	got := tensor.Data[bool](runOp(t, "Less", 1, attrsOf(attrInt("broadcast", 1)), 1, a, b)[0])
	want := []bool{true, true, true, false, false, false}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("got %v want %v", got, want)
		}
	}
	ewExpectErr(t, "string order", runOpErr("Less", 13, nil, 1, tensor.Scalar("a"), tensor.Scalar("b")), tensor.ErrDType)
}

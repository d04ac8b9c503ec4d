package std

import (
	"testing"

	"github.com/optnet-go/optnet/runtime/tensor"
)

// ewCheckLogic checks a logic op on every combination, broadcast.
func ewCheckLogic(t *testing.T, op string, f func(x, y bool) bool) {
	t.Helper()
	a := tensor.MustFromSlice([]int{2, 1}, []bool{false, true})
	b := tensor.MustFromSlice([]int{2}, []bool{false, true})
	got := tensor.Data[bool](runOp(t, op, 7, nil, 1, a, b)[0])
	want := []bool{f(false, false), f(false, true), f(true, false), f(true, true)}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("%s: got %v want %v", op, got, want)
		}
	}
	// Legacy broadcast (opset 1): b along axis 0 of a.
	a2 := tensor.MustFromSlice([]int{2, 2}, []bool{false, true, false, true})
	got = tensor.Data[bool](runOp(t, op, 1, attrsOf(attrInt("broadcast", 1), attrInt("axis", 0)), 1, a2, b)[0])
	want = []bool{f(false, false), f(true, false), f(false, true), f(true, true)}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("%s legacy: got %v want %v", op, got, want)
		}
	}
	ewExpectErr(t, op+" of ints", runOpErr(op, 7, nil, 1, tensor.Scalar(int32(1)), tensor.Scalar(int32(1))), tensor.ErrDType)
	ewExpectErr(t, op+" shapes", runOpErr(op, 7, nil, 1, tensor.Make[bool](2), tensor.Make[bool](3)), tensor.ErrShape)
}

func TestAnd(t *testing.T) { ewCheckLogic(t, "And", func(x, y bool) bool { return x && y }) }

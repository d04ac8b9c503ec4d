package std

import (
	"errors"
	"testing"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestBitShift(t *testing.T) {
	x := tensor.MustFromSlice([]int{4}, []uint8{16, 4, 1, 255})
	s := tensor.MustFromSlice([]int{4}, []uint8{1, 2, 7, 8})
	left := tensor.Data[uint8](runOp(t, "BitShift", 11, attrsOf(attrString("direction", "LEFT")), 1, x, s)[0])
	right := tensor.Data[uint8](runOp(t, "BitShift", 11, attrsOf(attrString("direction", "RIGHT")), 1, x, s)[0])
	wl, wr := []uint8{32, 16, 128, 0}, []uint8{8, 1, 0, 0}
	for i := range wl {
		if left[i] != wl[i] || right[i] != wr[i] {
			t.Fatalf("left %v want %v; right %v want %v", left, wl, right, wr)
		}
	}
	// Broadcast a scalar shift over uint64.
	got := tensor.Data[uint64](runOp(t, "BitShift", 11, attrsOf(attrString("direction", "LEFT")), 1, tensor.MustFromSlice([]int{2, 1}, []uint64{1, 3}), tensor.Scalar(uint64(63)))[0])
	if got[0] != 1<<63 || got[1] != 1<<63 {
		t.Fatalf("uint64: %v", got)
	}
}

func TestBitShiftErrors(t *testing.T) {
	d := attrsOf(attrString("direction", "LEFT"))
	ewExpectErr(t, "signed", runOpErr("BitShift", 11, d, 1, tensor.Scalar(int32(1)), tensor.Scalar(int32(1))), tensor.ErrDType)
	ewExpectErr(t, "mixed", runOpErr("BitShift", 11, d, 1, tensor.Scalar(uint32(1)), tensor.Scalar(uint8(1))), tensor.ErrDType)
	for _, attrs := range [][]runtime.Attribute{nil, attrsOf(attrString("direction", "UP"))} {
		if err := runOpErr("BitShift", 11, attrs, 1, tensor.Scalar(uint8(1)), tensor.Scalar(uint8(1))); !errors.Is(err, runtime.ErrInvalidGraph) {
			t.Fatalf("direction %v: %v", attrs, err)
		}
	}
}

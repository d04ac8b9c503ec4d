package std

import (
	"testing"

	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestNot(t *testing.T) {
	got := runOp(t, "Not", 1, nil, 1, tensor.MustFromSlice([]int{1, 2}, []bool{true, false}))[0]
	if d := tensor.Data[bool](got); d[0] || !d[1] || !tensor.SameShape(got.Shape(), []int{1, 2}) {
		t.Fatalf("got %v %v", got, d)
	}
	ewExpectErr(t, "float", runOpErr("Not", 1, nil, 1, tensor.Scalar(float32(0))), tensor.ErrDType)
}

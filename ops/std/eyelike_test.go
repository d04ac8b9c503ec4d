package std

import (
	"testing"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestEyeLike(t *testing.T) {
	x := tensor.Make[float64](3, 4)
	shpWantF64(t, runOp(t, "EyeLike", 9, nil, 1, x)[0], []int{3, 4}, []float64{1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0})
	shpWantF64(t, runOp(t, "EyeLike", 9, attrsOf(attrInt("k", 2)), 1, x)[0], []int{3, 4}, []float64{0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0})
	shpWantF64(t, runOp(t, "EyeLike", 9, attrsOf(attrInt("k", -1)), 1, x)[0], []int{3, 4}, []float64{0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0})
	// dtype 7 is int64.
	shpWantI64(t, runOp(t, "EyeLike", 9, attrsOf(attrInt("dtype", 7)), 1, x)[0], []int{3, 4}, []int64{1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0})
	b := runOp(t, "EyeLike", 9, attrsOf(attrInt("dtype", 9)), 1, tensor.Make[int32](2, 2))[0]
	if d := tensor.Data[bool](b); !d[0] || d[1] || !d[3] {
		t.Fatalf("bool eye %v", d)
	}
}

func TestEyeLikeErrors(t *testing.T) {
	shpWantErr(t, runOpErr("EyeLike", 9, nil, 1, tensor.Make[float64](3)), tensor.ErrShape)
	shpWantErr(t, runOpErr("EyeLike", 9, attrsOf(attrInt("dtype", 99)), 1, tensor.Make[float64](2, 2)), runtime.ErrInvalidGraph)
}

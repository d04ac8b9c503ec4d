package std

import (
	"errors"
	"math"
	"testing"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestMultinomial(t *testing.T) {
	// Row 0 almost surely class 2; row 1 classes 0 and 1 with 1:3 odds.
	x := tensor.MustFromSlice([]int{2, 3}, []float32{-100, -100, 0, 0, float32(math.Log(3)), -100})
	const n = 20000
	got := normRunSeeded(t, "Multinomial", 7, attrsOf(attrInt("sample_size", n)), 5, x)
	if got.DType() != tensor.Int32 || !tensor.SameShape(got.Shape(), []int{2, n}) {
		t.Fatalf("Multinomial gave %v", got)
	}
	d := tensor.Data[int32](got)
	ones := 0
	for j := 0; j < n; j++ {
		if d[j] != 2 {
			t.Fatalf("row 0 drew class %d", d[j])
		}
		switch d[n+j] {
		case 1:
			ones++
		case 0:
		default:
			t.Fatalf("row 1 drew class %d", d[n+j])
		}
	}
	if f := float64(ones) / n; f < 0.73 || f > 0.77 {
		t.Fatalf("class 1 drawn %v of the time, want 0.75", f)
	}
	i64 := runOp(t, "Multinomial", 7, attrsOf(attrInt("dtype", 7)), 1, x)[0]
	if i64.DType() != tensor.Int64 || !tensor.SameShape(i64.Shape(), []int{2, 1}) {
		t.Fatalf("int64 Multinomial gave %v", i64)
	}
	if err := runOpErr("Multinomial", 7, nil, 1, tensor.Make[float32](3)); !errors.Is(err, tensor.ErrShape) {
		t.Errorf("rank 1: %v", err)
	}
	if err := runOpErr("Multinomial", 7, attrsOf(attrInt("dtype", 1)), 1, x); !errors.Is(err, runtime.ErrInvalidGraph) {
		t.Errorf("float dtype: %v", err)
	}
	if err := runOpErr("Multinomial", 7, attrsOf(attrInt("sample_size", 1<<40)), 1, x); !errors.Is(err, runtime.ErrTooLarge) {
		t.Errorf("huge sample_size: %v", err)
	}
	if err := runOpErr("Multinomial", 7, nil, 1, tensor.MustFromSlice([]int{1, 2}, []float32{float32(math.NaN()), 0})); !errors.Is(err, tensor.ErrShape) {
		t.Errorf("NaN row: %v", err)
	}
}

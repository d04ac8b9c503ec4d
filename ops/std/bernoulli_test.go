package std

import (
	"errors"
	"testing"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestBernoulli(t *testing.T) {
	// Probabilities 0 and 1 are certain.
	p := tensor.MustFromSlice([]int{2, 2}, []float32{0, 1, 1, 0})
	got := runOp(t, "Bernoulli", 15, nil, 1, p)[0]
	assertClose(t, got, p, 0, 0)
	b := runOp(t, "Bernoulli", 15, attrsOf(attrInt("dtype", 9)), 1, p)[0]
	if b.DType() != tensor.Bool || !tensor.Data[bool](b)[1] || tensor.Data[bool](b)[0] {
		t.Fatalf("bool Bernoulli: %v %v", b, tensor.Data[bool](b))
	}
	// A probability of 0.3 gives about 30% ones.
	const n = 20000
	pv := make([]float64, n)
	for i := range pv {
		pv[i] = 0.3
	}
	s := normRunSeeded(t, "Bernoulli", 15, attrsOf(attrInt("dtype", 7)), 2, tensor.MustFromSlice([]int{n}, pv))
	ones := 0
	for _, v := range tensor.Data[int64](s) {
		if v != 0 && v != 1 {
			t.Fatalf("Bernoulli sample %d", v)
		}
		ones += int(v)
	}
	if f := float64(ones) / n; f < 0.28 || f > 0.32 {
		t.Fatalf("fraction of ones %v, want about 0.3", f)
	}
	if err := runOpErr("Bernoulli", 15, nil, 1, tensor.MustFromSlice([]int{1}, []float32{1.5})); !errors.Is(err, tensor.ErrShape) {
		t.Errorf("probability 1.5: %v", err)
	}
	if err := runOpErr("Bernoulli", 15, nil, 1, tensor.Make[int32](2)); !errors.Is(err, tensor.ErrDType) {
		t.Errorf("int probabilities: %v", err)
	}
	if err := runOpErr("Bernoulli", 15, attrsOf(attrInt("dtype", 8)), 1, p); !errors.Is(err, runtime.ErrInvalidGraph) {
		t.Errorf("string dtype: %v", err)
	}
}

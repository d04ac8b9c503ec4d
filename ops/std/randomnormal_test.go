package std

import (
	"context"
	"errors"
	"math"
	"testing"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// normRunSeeded runs one node with the given run seed.
func normRunSeeded(t *testing.T, op string, version int, attrs []runtime.Attribute, seed uint64, in ...*tensor.Tensor) *tensor.Tensor {
	t.Helper()
	f, _, err := runtime.RunNode(context.Background(), testRegistry(), opNode(op, in, 1, attrs...), version, in, runtime.RunOptions{Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	return f.Outputs[0]
}

// normMoments returns the sample mean and variance.
func normMoments(v []float64) (mean, variance float64) {
	for _, x := range v {
		mean += x
	}
	mean /= float64(len(v))
	for _, x := range v {
		variance += (x - mean) * (x - mean)
	}
	return mean, variance / float64(len(v))
}

func TestRandomGenerators(t *testing.T) {
	const n = 40000
	normal := normRunSeeded(t, "RandomNormal", 1, attrsOf(attrInts("shape", 200, 200), attrFloat("mean", 2), attrFloat("scale", 3)), 1)
	if normal.DType() != tensor.Float32 || !tensor.SameShape(normal.Shape(), []int{200, 200}) {
		t.Fatalf("RandomNormal gave %v", normal)
	}
	v, _ := tensor.Float64s(normal)
	if m, s := normMoments(v); math.Abs(m-2) > 0.05 || math.Abs(math.Sqrt(s)-3) > 0.05 {
		t.Fatalf("RandomNormal mean %v deviation %v, want 2 and 3", m, math.Sqrt(s))
	}
	uni := normRunSeeded(t, "RandomUniform", 1, attrsOf(attrInts("shape", n), attrFloat("low", -1), attrFloat("high", 3), attrInt("dtype", 11)), 1)
	if uni.DType() != tensor.Float64 {
		t.Fatalf("RandomUniform dtype %v", uni.DType())
	}
	u := tensor.Data[float64](uni)
	for _, x := range u {
		if x < -1 || x >= 3 {
			t.Fatalf("RandomUniform sample %v outside [-1, 3)", x)
		}
	}
	if m, s := normMoments(u); math.Abs(m-1) > 0.05 || math.Abs(s-16.0/12) > 0.05 {
		t.Fatalf("RandomUniform mean %v variance %v", m, s)
	}
	// The Like ops take the input's shape and (by default) dtype.
	like := tensor.Make[float64](3, 4)
	nl := normRunSeeded(t, "RandomNormalLike", 1, nil, 1, like)
	if nl.DType() != tensor.Float64 || !tensor.SameShape(nl.Shape(), []int{3, 4}) {
		t.Fatalf("RandomNormalLike gave %v", nl)
	}
	ul := normRunSeeded(t, "RandomUniformLike", 1, attrsOf(attrInt("dtype", 10)), 1, tensor.Make[int32](5))
	if ul.DType() != tensor.Float16 || ul.Len() != 5 {
		t.Fatalf("RandomUniformLike gave %v", ul)
	}
	// Same run seed, same samples; another seed, others.
	a := normRunSeeded(t, "RandomUniformLike", 1, nil, 3, like)
	b := normRunSeeded(t, "RandomUniformLike", 1, nil, 3, like)
	c := normRunSeeded(t, "RandomUniformLike", 1, nil, 4, like)
	assertClose(t, a, b, 0, 0)
	if tensor.Data[float64](a)[0] == tensor.Data[float64](c)[0] {
		t.Fatal("different seeds gave the same sample")
	}
	// Generators are never constant-folded.
	for _, op := range []string{"RandomNormal", "RandomUniform", "RandomNormalLike", "RandomUniformLike", "Bernoulli", "Multinomial", "Dropout", "BatchNormalization"} {
		o, ok := testRegistry().Lookup("", op, 17)
		if !ok || !o.Stateful {
			t.Errorf("%s is not registered as Stateful", op)
		}
	}
}

func TestRandomErrors(t *testing.T) {
	if err := runOpErr("RandomNormal", 1, nil, 1); !errors.Is(err, runtime.ErrInvalidGraph) {
		t.Errorf("missing shape: %v", err)
	}
	if err := runOpErr("RandomNormal", 1, attrsOf(attrInts("shape", 2, -1)), 1); !errors.Is(err, runtime.ErrInvalidGraph) {
		t.Errorf("negative dim: %v", err)
	}
	if err := runOpErr("RandomUniform", 1, attrsOf(attrInts("shape", 2), attrInt("dtype", 7)), 1); !errors.Is(err, runtime.ErrInvalidGraph) {
		t.Errorf("int64 dtype: %v", err)
	}
	if err := runOpErr("RandomUniform", 1, attrsOf(attrInts("shape", 1<<40, 1<<20)), 1); !errors.Is(err, runtime.ErrTooLarge) {
		t.Errorf("huge shape: %v", err)
	}
	if err := runOpErr("RandomNormalLike", 1, nil, 1, tensor.Make[int32](2)); !errors.Is(err, tensor.ErrDType) {
		t.Errorf("int input without dtype: %v", err)
	}
}

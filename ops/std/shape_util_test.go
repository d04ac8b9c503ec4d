package std

import (
	"errors"
	"math/rand"
	"testing"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// Test helpers of the shape and data-movement ops.

// shpIota returns a float64 tensor holding 0, 1, 2, ... in row-major order.
func shpIota(shape ...int) *tensor.Tensor {
	t := tensor.Make[float64](shape...)
	for i := range tensor.Data[float64](t) {
		tensor.Data[float64](t)[i] = float64(i)
	}
	return t
}

// shpI64 returns a 1-D int64 tensor.
func shpI64(v ...int64) *tensor.Tensor { return tensor.MustFromSlice([]int{len(v)}, v) }

// shpF64 returns a float64 tensor of the given shape.
func shpF64(shape []int, v ...float64) *tensor.Tensor { return tensor.MustFromSlice(shape, v) }

// shpUnravel returns the multi-index of flat position p in shape.
func shpUnravel(p int, shape []int) []int {
	idx := make([]int, len(shape))
	for k := len(shape) - 1; k >= 0; k-- {
		idx[k] = p % shape[k]
		p /= shape[k]
	}
	return idx
}

// shpRavel returns the flat position of a multi-index in shape.
func shpRavel(idx, shape []int) int {
	p := 0
	for k, i := range idx {
		p = p*shape[k] + i
	}
	return p
}

// shpWantF64 fails unless got is a float64 tensor of the given shape and data.
func shpWantF64(t testing.TB, got *tensor.Tensor, shape []int, want []float64) {
	t.Helper()
	if got.DType() != tensor.Float64 || !tensor.SameShape(got.Shape(), shape) {
		t.Fatalf("got %v, want float64%v", got, shape)
	}
	for i, v := range tensor.Data[float64](got) {
		if v != want[i] {
			t.Fatalf("element %d: got %v, want %v (got %v)", i, v, want[i], tensor.Data[float64](got))
		}
	}
}

// shpWantI64 fails unless got is an int64 tensor of the given shape and data.
func shpWantI64(t testing.TB, got *tensor.Tensor, shape []int, want []int64) {
	t.Helper()
	if got.DType() != tensor.Int64 || !tensor.SameShape(got.Shape(), shape) {
		t.Fatalf("got %v, want int64%v", got, shape)
	}
	for i, v := range tensor.Data[int64](got) {
		if v != want[i] {
			t.Fatalf("element %d: got %v, want %v (got %v)", i, v, want[i], tensor.Data[int64](got))
		}
	}
}

// shpWantErr fails unless err wraps target.
func shpWantErr(t testing.TB, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("got error %v, want %v", err, target)
	}
}

// shpNaiveTranspose is the definition: out[i] = x[i permuted back].
func shpNaiveTranspose(x []float64, shape, perm []int) ([]float64, []int) {
	out := make([]int, len(perm))
	for k, a := range perm {
		out[k] = shape[a]
	}
	res := make([]float64, len(x))
	for p := range res {
		oi := shpUnravel(p, out)
		ii := make([]int, len(shape))
		for k, a := range perm {
			ii[a] = oi[k]
		}
		res[p] = x[shpRavel(ii, shape)]
	}
	return res, out
}

func TestKitTransposeMatchesDefinition(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	for trial := 0; trial < 300; trial++ {
		r := 1 + rng.Intn(5)
		shape := make([]int, r)
		for i := range shape {
			shape[i] = 1 + rng.Intn(5)
			if rng.Intn(6) == 0 {
				shape[i] = 1 + rng.Intn(70) // long axes exercise the tiles
			}
		}
		if tensor.NumElements(shape) > 20000 {
			continue
		}
		perm := rng.Perm(r)
		x := shpIota(shape...)
		want, out := shpNaiveTranspose(tensor.Data[float64](x), shape, perm)
		got := shpTranspose(x, perm)
		shpWantF64(t, got, out, want)
		// Another dtype goes through its own instantiation.
		xi, _ := tensor.Convert(x, tensor.Int16)
		gi := shpTranspose(xi, perm)
		gf, _ := tensor.Convert(gi, tensor.Float64)
		shpWantF64(t, gf, out, want)
	}
}

func TestKitTransposeLargeParallel(t *testing.T) {
	shape := []int{3, 257, 129}
	x := shpIota(shape...)
	for _, perm := range [][]int{{2, 1, 0}, {0, 2, 1}, {1, 0, 2}, {2, 0, 1}} {
		want, out := shpNaiveTranspose(tensor.Data[float64](x), shape, perm)
		shpWantF64(t, shpTranspose(x, perm), out, want)
	}
}

func TestKitGatherFillAndMerge(t *testing.T) {
	// A padded 2x3 matrix: one row and column of fill around it, with
	// size-1 and small dims that the planner merges.
	x := shpIota(1, 2, 3)
	maps := [][]int{{0}, {-1, 0, 3, -1}, {-1, 0, 1, 2}}
	fill := tensor.MustFromSlice([]int{1}, []float64{-7})
	got, err := shpGather(x, []int{1, 4, 4}, maps, fill)
	if err != nil {
		t.Fatal(err)
	}
	shpWantF64(t, got, []int{1, 4, 4}, []float64{
		-7, -7, -7, -7,
		-7, 0, 1, 2,
		-7, 3, 4, 5,
		-7, -7, -7, -7,
	})
	// A dead size-1 axis makes everything fill.
	got, _ = shpGather(x, []int{1, 2, 3}, [][]int{{-1}, {0, 3}, {0, 1, 2}}, fill)
	shpWantF64(t, got, []int{1, 2, 3}, []float64{-7, -7, -7, -7, -7, -7})
	// Strings move like numbers.
	s := tensor.MustFromSlice([]int{3}, []string{"a", "b", "c"})
	gs, _ := shpGather(s, []int{4}, [][]int{{2, 2, 0, -1}}, tensor.MustFromSlice([]int{1}, []string{"z"}))
	if d := tensor.Data[string](gs); d[0] != "c" || d[1] != "c" || d[2] != "a" || d[3] != "z" {
		t.Fatalf("string gather: %v", d)
	}
}

func TestKitGatherBigMatchesDefinition(t *testing.T) {
	// Large enough to split across workers; a reversed and strided view.
	shape := []int{64, 300}
	x := shpIota(shape...)
	maps := [][]int{shpAffine(32, 63, -2, 300), shpAffine(150, 1, 2, 1)}
	got, _ := shpGather(x, []int{32, 150}, maps, nil)
	want := make([]float64, 32*150)
	for i := 0; i < 32; i++ {
		for j := 0; j < 150; j++ {
			want[i*150+j] = float64((63-2*i)*300 + 1 + 2*j)
		}
	}
	shpWantF64(t, got, []int{32, 150}, want)
}

func TestKitCompare(t *testing.T) {
	cases := []struct {
		t    *tensor.Tensor
		want int
	}{
		{tensor.MustFromSlice([]int{2}, []bool{true, false}), 1},
		{tensor.MustFromSlice([]int{2}, []string{"a", "b"}), -1},
		{tensor.MustFromSlice([]int{2}, []tensor.F16{tensor.F16From(2), tensor.F16From(2)}), 0},
		{tensor.MustFromSlice([]int{2}, []uint64{1 << 63, 1}), 1},
	}
	for _, c := range cases {
		if got := shpMustKit(c.t).compare(c.t.Raw(), 0, c.t.Raw(), 1); got != c.want {
			t.Errorf("%v: compare = %d, want %d", c.t, got, c.want)
		}
	}
}

func TestAccumulateAxis(t *testing.T) {
	g := shpF64([]int{2, 3}, 1, 2, 3, 4, 5, 6)
	got, err := shpAccumulate(g, 1, 2, []int{1, 1, 0})
	if err != nil {
		t.Fatal(err)
	}
	shpWantF64(t, got, []int{2, 2}, []float64{3, 3, 6, 9})
	if _, err := shpAccumulate(tensor.Make[int32](2), 0, 2, []int{0, 1}); !errors.Is(err, tensor.ErrDType) {
		t.Fatalf("int gradient: %v", err)
	}
}

// shpInfer runs a kernel's shape inference on facts.
func shpInfer(t testing.TB, k runtime.ShapeInferrer, in ...runtime.Fact) []runtime.Fact {
	t.Helper()
	out, err := k.InferShapes(in)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// shpFact is a fact with a known shape (-1 dims unknown).
func shpFact(dt tensor.DType, shape ...int) runtime.Fact {
	return runtime.Fact{DType: dt, Shape: shape, HasShape: true}
}

// shpWantShape fails unless f has the given shape.
func shpWantShape(t testing.TB, f runtime.Fact, shape ...int) {
	t.Helper()
	if !f.HasShape || !tensor.SameShape(f.Shape, shape) {
		t.Fatalf("inferred %v (known %v), want %v", f.Shape, f.HasShape, shape)
	}
}

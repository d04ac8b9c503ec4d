package std

import (
	"math/rand"
	"testing"

	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestWhere(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	c := tensor.Make[bool](2, 1, 4)
	for i := range tensor.Data[bool](c) {
		tensor.Data[bool](c)[i] = rng.Intn(2) == 1
	}
	x, y := randF64(rng, -1, 1, 3, 1), randF64(rng, -1, 1, 2, 3, 4)
	cv, xv, yv := tensor.Data[bool](c), tensor.Data[float64](x), tensor.Data[float64](y)
	shape, want := ewNaiveBroadcast([][]int{c.Shape(), x.Shape(), y.Shape()}, func(idx []int) float64 {
		if cv[idx[0]] {
			return xv[idx[1]]
		}
		return yv[idx[2]]
	})
	wantT := tensor.MustFromSlice(shape, want)
	assertClose(t, runOp(t, "Where", 16, nil, 1, c, x, y)[0], wantT, 0, 0)
	assertClose(t, runOp(t, "Where", 16, nil, 1, c, ewToF32(t, x), ewToF32(t, y))[0], wantT, 1e-7, 0)
	// Strings and int64.
	s := runOp(t, "Where", 16, nil, 1, tensor.MustFromSlice([]int{2}, []bool{true, false}), tensor.Scalar("x"), tensor.MustFromSlice([]int{2}, []string{"a", "b"}))[0]
	if d := tensor.Data[string](s); d[0] != "x" || d[1] != "b" {
		t.Fatalf("strings: %v", d)
	}
	i := runOp(t, "Where", 16, nil, 1, tensor.Scalar(false), tensor.Scalar(int64(1)), tensor.MustFromSlice([]int{2}, []int64{7, 8}))[0]
	if d := tensor.Data[int64](i); d[0] != 7 || d[1] != 8 {
		t.Fatalf("int64: %v", d)
	}
}

func TestWhereLarge(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	c := tensor.Make[bool](300, 1)
	for i := range tensor.Data[bool](c) {
		tensor.Data[bool](c)[i] = i%3 == 0
	}
	x, y := randF64(rng, -1, 1, 300, 500), tensor.Scalar(0.0)
	got := tensor.Data[float64](runOp(t, "Where", 16, nil, 1, c, x, y)[0])
	for i, v := range got {
		want := 0.0
		if (i/500)%3 == 0 {
			want = tensor.Data[float64](x)[i]
		}
		if v != want {
			t.Fatalf("element %d: got %v want %v", i, v, want)
		}
	}
}

func TestWhereErrors(t *testing.T) {
	f := tensor.Make[float32](2)
	ewExpectErr(t, "float condition", runOpErr("Where", 16, nil, 1, f, f, f), tensor.ErrDType)
	ewExpectErr(t, "mixed dtypes", runOpErr("Where", 16, nil, 1, tensor.Make[bool](2), f, tensor.Make[float64](2)), tensor.ErrDType)
	ewExpectErr(t, "shapes", runOpErr("Where", 16, nil, 1, tensor.Make[bool](3), f, f), tensor.ErrShape)
}

func TestWhereGradient(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	c := tensor.Make[bool](2, 1, 4)
	for i := range tensor.Data[bool](c) {
		tensor.Data[bool](c)[i] = i%3 != 1
	}
	gradCheck(t, "Where", 16, nil, []*tensor.Tensor{c, randF64(rng, -1, 1, 3, 1), randF64(rng, -1, 1, 2, 3, 4)}, 1, 2)
	gradCheck(t, "Where", 16, nil, []*tensor.Tensor{c, randF64(rng, -1, 1, 2, 3, 4), randF64(rng, -1, 1)}, 1, 2)
}

func TestWhereLargeSameShape(t *testing.T) {
	// One long row: split within the row.
	rng := rand.New(rand.NewSource(4))
	n := 100003
	c := tensor.Make[bool](n)
	for i := range tensor.Data[bool](c) {
		tensor.Data[bool](c)[i] = rng.Intn(2) == 0
	}
	x, y := randF64(rng, -1, 1, n), randF64(rng, -1, 1, n)
	got := tensor.Data[float64](runOp(t, "Where", 16, nil, 1, c, x, y)[0])
	for i, v := range got {
		want := tensor.Data[float64](y)[i]
		if tensor.Data[bool](c)[i] {
			want = tensor.Data[float64](x)[i]
		}
		if v != want {
			t.Fatalf("element %d: got %v want %v", i, v, want)
		}
	}
}

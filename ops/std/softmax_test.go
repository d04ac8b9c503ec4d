package std

import (
	"errors"
	"math"
	"math/rand"
	"testing"

	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestSoftmaxAxes(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	shape := []int{2, 3, 4}
	x := randF64(rng, -3, 3, shape...)
	xd := tensor.Data[float64](x)
	for _, op := range []string{"Softmax", "LogSoftmax"} {
		ref := refSoftmax
		if op == "LogSoftmax" {
			ref = refLogSoftmax
		}
		for axis := -3; axis < 3; axis++ {
			a := (axis + 3) % 3
			o, n, in := refSplit(shape, a, false)
			want := normF64(shape, refLines(xd, o, n, in, ref))
			got := runOp(t, op, 13, attrsOf(attrInt("axis", int64(axis))), 1, x)[0]
			assertClose(t, got, want, 1e-12, 1e-12)
		}
		// Opset 11: the input is flattened to 2-D at axis (0..rank).
		for axis := 0; axis <= 3; axis++ {
			o, n, in := refSplit(shape, axis, true)
			want := normF64(shape, refLines(xd, o, n, in, ref))
			got := runOp(t, op, 11, attrsOf(attrInt("axis", int64(axis))), 1, x)[0]
			assertClose(t, got, want, 1e-12, 1e-12)
		}
		// Defaults: -1 at opset 13, 1 (flattened) at opset 1.
		o, n, in := refSplit(shape, 2, false)
		assertClose(t, runOp(t, op, 13, nil, 1, x)[0], normF64(shape, refLines(xd, o, n, in, ref)), 1e-12, 1e-12)
		o, n, in = refSplit(shape, 1, true)
		assertClose(t, runOp(t, op, 1, nil, 1, x)[0], normF64(shape, refLines(xd, o, n, in, ref)), 1e-12, 1e-12)
	}
}

func TestSoftmaxWideStrided(t *testing.T) {
	// inner = 600 > the column chunk: exercises the chunked strided path
	// and the parallel split.
	rng := rand.New(rand.NewSource(2))
	shape := []int{3, 5, 600}
	x := randF64(rng, -5, 5, shape...)
	o, n, in := refSplit(shape, 1, false)
	for _, op := range []string{"Softmax", "LogSoftmax"} {
		ref := refSoftmax
		if op == "LogSoftmax" {
			ref = refLogSoftmax
		}
		want := normF64(shape, refLines(tensor.Data[float64](x), o, n, in, ref))
		got := runOp(t, op, 13, attrsOf(attrInt("axis", 1)), 1, x)[0]
		assertClose(t, got, want, 1e-12, 1e-12)
	}
	// A long contiguous axis split across cores.
	y := randF64(rng, -5, 5, 64, 700)
	want := normF64([]int{64, 700}, refLines(tensor.Data[float64](y), 64, 700, 1, refSoftmax))
	assertClose(t, runOp(t, "Softmax", 13, nil, 1, y)[0], want, 1e-12, 1e-15)
}

func TestSoftmaxStableAndTypes(t *testing.T) {
	x := tensor.MustFromSlice([]int{1, 3}, []float32{1000, 1001, 1002})
	got := runOp(t, "Softmax", 13, nil, 1, x)[0]
	want := normF64([]int{1, 3}, refSoftmax([]float64{0, 1, 2}))
	assertClose(t, got, want, 1e-6, 1e-7)
	lg := runOp(t, "LogSoftmax", 13, nil, 1, x)[0]
	assertClose(t, lg, normF64([]int{1, 3}, refLogSoftmax([]float64{0, 1, 2})), 1e-6, 1e-6)
	for _, v := range tensor.Data[float32](lg) {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			t.Fatalf("LogSoftmax of large numbers is not finite: %v", tensor.Data[float32](lg))
		}
	}
	h := tensor.MustFromSlice([]int{2}, []tensor.F16{tensor.F16From(0), tensor.F16From(1)})
	hs := runOp(t, "Softmax", 13, nil, 1, h)[0]
	if hs.DType() != tensor.Float16 {
		t.Fatalf("float16 softmax gave %v", hs.DType())
	}
	assertClose(t, hs, normF64([]int{2}, refSoftmax([]float64{0, 1})), 1e-3, 1e-3)
	// Empty axis: nothing to do, no panic.
	e := runOp(t, "Softmax", 13, nil, 1, tensor.Make[float32](2, 0))[0]
	if !tensor.SameShape(e.Shape(), []int{2, 0}) {
		t.Fatalf("empty softmax shape %v", e.Shape())
	}
}

func TestSoftmaxErrors(t *testing.T) {
	x := tensor.Make[float32](2, 3)
	for _, op := range []string{"Softmax", "LogSoftmax", "Hardmax"} {
		if err := runOpErr(op, 13, attrsOf(attrInt("axis", 2)), 1, x); !errors.Is(err, tensor.ErrShape) {
			t.Errorf("%s axis 2 of rank 2: %v", op, err)
		}
		if err := runOpErr(op, 11, attrsOf(attrInt("axis", -3)), 1, x); !errors.Is(err, tensor.ErrShape) {
			t.Errorf("%s opset 11 axis -3 of rank 2: %v", op, err)
		}
		if err := runOpErr(op, 13, nil, 1, tensor.Make[int32](2, 3)); !errors.Is(err, tensor.ErrDType) {
			t.Errorf("%s of int32: %v", op, err)
		}
		if err := runOpErr(op, 13, nil, 1, tensor.Scalar(float32(1))); !errors.Is(err, tensor.ErrShape) {
			t.Errorf("%s of a scalar at opset 13: %v", op, err)
		}
	}
}

func TestSoftmaxGradient(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	for _, op := range []string{"Softmax", "LogSoftmax"} {
		for axis := -3; axis < 3; axis++ {
			gradCheck(t, op, 13, attrsOf(attrInt("axis", int64(axis))), []*tensor.Tensor{randF64(rng, -2, 2, 2, 3, 4)}, 0)
		}
		for axis := 0; axis <= 3; axis++ {
			gradCheck(t, op, 11, attrsOf(attrInt("axis", int64(axis))), []*tensor.Tensor{randF64(rng, -2, 2, 2, 3, 4)}, 0)
		}
	}
}

func TestHardmax(t *testing.T) {
	// Ties pick the first maximum.
	x := tensor.MustFromSlice([]int{2, 4}, []float32{3, 0, 3, 1, -1, -2, -1, -3})
	got := runOp(t, "Hardmax", 13, nil, 1, x)[0]
	assertClose(t, got, normF64([]int{2, 4}, []float64{1, 0, 0, 0, 1, 0, 0, 0}), 0, 0)
	rng := rand.New(rand.NewSource(4))
	shape := []int{2, 3, 4}
	xr := randF64(rng, -1, 1, shape...)
	first := func(line []float64) []float64 {
		out := make([]float64, len(line))
		b := 0
		for i, v := range line {
			if v > line[b] {
				b = i
			}
		}
		out[b] = 1
		return out
	}
	for axis := -3; axis < 3; axis++ {
		o, n, in := refSplit(shape, (axis+3)%3, false)
		want := normF64(shape, refLines(tensor.Data[float64](xr), o, n, in, first))
		assertClose(t, runOp(t, "Hardmax", 13, attrsOf(attrInt("axis", int64(axis))), 1, xr)[0], want, 0, 0)
	}
	for axis := 0; axis <= 3; axis++ {
		o, n, in := refSplit(shape, axis, true)
		want := normF64(shape, refLines(tensor.Data[float64](xr), o, n, in, first))
		assertClose(t, runOp(t, "Hardmax", 11, attrsOf(attrInt("axis", int64(axis))), 1, xr)[0], want, 0, 0)
	}
}

package std

import (
	"math/rand"
	"testing"

	"github.com/optnet-go/optnet/runtime/tensor"
)

// ewNaiveFold is the reference of the variadic ops over a broadcast.
func ewNaiveFold(in []*tensor.Tensor, f func(vals []float64) float64) *tensor.Tensor {
	shapes := make([][]int, len(in))
	vals := make([][]float64, len(in))
	for i, x := range in {
		shapes[i], vals[i] = x.Shape(), ewFloat64s(x)
	}
	shape, out := ewNaiveBroadcast(shapes, func(idx []int) float64 {
		v := make([]float64, len(in))
		for j := range in {
			v[j] = vals[j][idx[j]]
		}
		return f(v)
	})
	return tensor.MustFromSlice(shape, out)
}

// ewCheckVariadic checks a variadic op against ref for 1, 2 and 3
// broadcast inputs in float64 and float32.
func ewCheckVariadic(t *testing.T, op string, ref func([]float64) float64) {
	t.Helper()
	rng := rand.New(rand.NewSource(1))
	sets := [][]*tensor.Tensor{
		{randF64(rng, -2, 2, 2, 3)},
		{randF64(rng, -2, 2, 2, 3), randF64(rng, -2, 2, 2, 3)},
		{randF64(rng, -2, 2, 3), randF64(rng, -2, 2, 2, 1), randF64(rng, -2, 2, 4, 1, 1)},
		{randF64(rng, -2, 2, 1), randF64(rng, -2, 2, 3, 2), randF64(rng, -2, 2, 2), randF64(rng, -2, 2)},
	}
	for _, in := range sets {
		want := ewNaiveFold(in, ref)
		assertClose(t, runOp(t, op, 13, nil, 1, in...)[0], want, 1e-15, 1e-15)
		in32 := make([]*tensor.Tensor, len(in))
		for i, x := range in {
			in32[i] = ewToF32(t, x)
		}
		assertClose(t, runOp(t, op, 13, nil, 1, in32...)[0], ewNaiveFold(in32, ref), 1e-6, 1e-6)
	}
	ewExpectErr(t, op+" mixed dtypes", runOpErr(op, 13, nil, 1, tensor.Make[float32](2), tensor.Make[float64](2)), tensor.ErrDType)
	ewExpectErr(t, op+" shapes", runOpErr(op, 13, nil, 1, tensor.Make[float32](2), tensor.Make[float32](3)), tensor.ErrShape)
}

// ewGradVariadic checks a variadic op's backward rule with broadcasting.
func ewGradVariadic(t *testing.T, op string) {
	t.Helper()
	rng := rand.New(rand.NewSource(2))
	gradCheck(t, op, 13, nil, []*tensor.Tensor{randF64(rng, -2, 2, 3), randF64(rng, -2, 2, 2, 1), randF64(rng, -2, 2, 2, 3)}, 0, 1, 2)
	gradCheck(t, op, 13, nil, []*tensor.Tensor{randF64(rng, -2, 2, 2, 2)}, 0)
}

func TestSum(t *testing.T) {
	ewCheckVariadic(t, "Sum", func(v []float64) float64 {
		s := 0.0
		for _, x := range v {
			s += x
		}
		return s
	})
	got := tensor.Data[int32](runOp(t, "Sum", 13, nil, 1, tensor.MustFromSlice([]int{2}, []int32{1, 2}), tensor.Scalar(int32(10)), tensor.MustFromSlice([]int{2}, []int32{100, 200}))[0])
	if got[0] != 111 || got[1] != 212 {
		t.Fatalf("int32: %v", got)
	}
	h := runOp(t, "Sum", 13, nil, 1, tensor.Scalar(tensor.F16From(1.5)), tensor.Scalar(tensor.F16From(2.25)))[0]
	if v := tensor.Data[tensor.F16](h)[0].Float32(); v != 3.75 {
		t.Fatalf("float16: %v", v)
	}
}

func TestSumLarge(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	in := []*tensor.Tensor{randF64(rng, -1, 1, 300, 300), randF64(rng, -1, 1, 300, 1), randF64(rng, -1, 1, 300)}
	want := ewNaiveFold(in, func(v []float64) float64 { return v[0] + v[1] + v[2] })
	assertClose(t, runOp(t, "Sum", 13, nil, 1, in...)[0], want, 1e-15, 1e-15)
}

func TestSumGradient(t *testing.T) { ewGradVariadic(t, "Sum") }

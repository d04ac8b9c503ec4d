package std

// Test helpers of the elementwise family: reference loops written from the
// definitions (independent of the kernels' broadcasting machinery).

import (
	"errors"
	"math"
	"math/rand"
	"testing"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// ewNaiveIndex maps output coordinates to the flat index of an operand of
// the given shape under NumPy broadcasting.
func ewNaiveIndex(outIdx []int, shape []int) int {
	off := len(outIdx) - len(shape)
	idx := 0
	for i, d := range shape {
		c := outIdx[off+i]
		if d == 1 {
			c = 0
		}
		idx = idx*d + c
	}
	return idx
}

// ewNaiveBroadcast computes out[i] = f(operands at i) for every element of
// the broadcast shape, walking coordinates one by one.
func ewNaiveBroadcast(shapes [][]int, f func(idx []int) float64) ([]int, []float64) {
	rank := 0
	for _, s := range shapes {
		rank = max(rank, len(s))
	}
	out := make([]int, rank)
	for i := range out {
		out[i] = 1
	}
	for _, s := range shapes {
		for i, d := range s {
			if d != 1 {
				out[rank-len(s)+i] = d
			}
		}
	}
	n := tensor.NumElements(out)
	vals := make([]float64, n)
	coord := make([]int, rank)
	for k := 0; k < n; k++ {
		r := k
		for i := rank - 1; i >= 0; i-- {
			coord[i] = r % out[i]
			r /= out[i]
		}
		idx := make([]int, len(shapes))
		for j, s := range shapes {
			idx[j] = ewNaiveIndex(coord, s)
		}
		vals[k] = f(idx)
	}
	return out, vals
}

// ewNaiveBinary is the reference for a binary float op over a broadcast.
func ewNaiveBinary(a, b *tensor.Tensor, f func(x, y float64) float64) *tensor.Tensor {
	av, bv := ewFloat64s(a), ewFloat64s(b)
	shape, vals := ewNaiveBroadcast([][]int{a.Shape(), b.Shape()}, func(idx []int) float64 {
		return f(av[idx[0]], bv[idx[1]])
	})
	return tensor.MustFromSlice(shape, vals)
}

// ewRandF32 returns a float32 tensor uniform in [lo, hi).
func ewRandF32(rng *rand.Rand, lo, hi float64, shape ...int) *tensor.Tensor {
	t := tensor.Make[float32](shape...)
	d := tensor.Data[float32](t)
	for i := range d {
		d[i] = float32(lo + (hi-lo)*rng.Float64())
	}
	return t
}

// ewToF32 converts a float64 tensor to float32.
func ewToF32(t testing.TB, x *tensor.Tensor) *tensor.Tensor {
	t.Helper()
	r, err := tensor.Convert(x, tensor.Float32)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// ewMapRef applies ref to every element of a float tensor, in float64.
func ewMapRef(x *tensor.Tensor, ref func(float64) float64) *tensor.Tensor {
	v := ewFloat64s(x)
	out := make([]float64, len(v))
	for i, e := range v {
		out[i] = ref(e)
	}
	return tensor.MustFromSlice(x.Shape(), out)
}

// ewCheckUnary runs a unary op on float64, float32 and float16 inputs
// drawn from [lo, hi) and compares with ref computed in float64.
func ewCheckUnary(t *testing.T, op string, version int, attrs []runtime.Attribute, ref func(float64) float64, lo, hi float64) {
	t.Helper()
	rng := rand.New(rand.NewSource(int64(len(op))))
	x64 := randF64(rng, lo, hi, 3, 7)
	got := runOp(t, op, version, attrs, 1, x64)[0]
	if got.DType() != tensor.Float64 {
		t.Fatalf("%s: float64 input gave %v", op, got.DType())
	}
	assertClose(t, got, ewMapRef(x64, ref), 1e-12, 1e-300)

	x32 := ewToF32(t, x64)
	got = runOp(t, op, version, attrs, 1, x32)[0]
	if got.DType() != tensor.Float32 {
		t.Fatalf("%s: float32 input gave %v", op, got.DType())
	}
	assertClose(t, got, ewMapRef(x32, ref), 1e-6, 1e-30)

	x16, err := tensor.Convert(x32, tensor.Float16)
	if err != nil {
		t.Fatal(err)
	}
	got = runOp(t, op, version, attrs, 1, x16)[0]
	if got.DType() != tensor.Float16 {
		t.Fatalf("%s: float16 input gave %v", op, got.DType())
	}
	assertClose(t, got, ewMapRef(x16, ref), 1e-3, 1e-4)

	// A large input takes the parallel path; spot-check it.
	big := randF64(rng, lo, hi, 70001)
	bigGot := tensor.Data[float64](runOp(t, op, version, attrs, 1, big)[0])
	for _, i := range []int{0, 1, 35000, 35001, 70000} {
		if w := ref(tensor.Data[float64](big)[i]); !ewSame(bigGot[i], w, 1e-12) {
			t.Fatalf("%s: large input element %d: got %v want %v", op, i, bigGot[i], w)
		}
	}
}

// ewSame compares floats with a relative tolerance, NaN matching NaN.
func ewSame(got, want, rtol float64) bool {
	if math.IsNaN(want) {
		return math.IsNaN(got)
	}
	if math.IsInf(want, 0) {
		return got == want
	}
	return math.Abs(got-want) <= rtol*math.Abs(want)+1e-300
}

// ewCheckUnarySpecial checks exact float64 outputs for chosen inputs
// (edges such as 0, ±Inf, NaN).
func ewCheckUnarySpecial(t *testing.T, op string, version int, attrs []runtime.Attribute, in, want []float64) {
	t.Helper()
	x := tensor.MustFromSlice([]int{len(in)}, append([]float64(nil), in...))
	got := tensor.Data[float64](runOp(t, op, version, attrs, 1, x)[0])
	for i := range want {
		if !ewSame(got[i], want[i], 1e-15) {
			t.Fatalf("%s(%v) = %v, want %v", op, in[i], got[i], want[i])
		}
	}
}

// ewGradUnary checks a unary op's backward rule by finite differences.
func ewGradUnary(t *testing.T, op string, version int, attrs []runtime.Attribute, lo, hi float64) {
	t.Helper()
	rng := rand.New(rand.NewSource(3))
	gradCheck(t, op, version, attrs, []*tensor.Tensor{randF64(rng, lo, hi, 2, 3, 4)}, 0)
}

// ewGradUnaryF32 checks that a float32 backward agrees with float64 run
// through the same rule.
func ewGradUnaryF32(t *testing.T, op string, version int, attrs []runtime.Attribute, lo, hi float64) {
	t.Helper()
	rng := rand.New(rand.NewSource(4))
	x64 := randF64(rng, lo, hi, 5, 4)
	g64 := randF64(rng, -1, 1, 5, 4)
	grad := func(x, g *tensor.Tensor) *tensor.Tensor {
		f, k, err := runtime.RunNode(t.Context(), testRegistry(), opNode(op, []*tensor.Tensor{x}, 1, attrs...), version, []*tensor.Tensor{x}, runtime.RunOptions{})
		if err != nil {
			t.Fatal(err)
		}
		gs, err := runtime.BackwardNode(t.Context(), k, f, []*tensor.Tensor{g}, nil, runtime.RunOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return gs[0]
	}
	want := grad(x64, g64)
	got := grad(ewToF32(t, x64), ewToF32(t, g64))
	if got.DType() != tensor.Float32 {
		t.Fatalf("%s: float32 gradient has dtype %v", op, got.DType())
	}
	assertClose(t, got, want, 1e-4, 1e-5)
}

// ewExpectErr fails unless err wraps target.
func ewExpectErr(t *testing.T, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("%s: got error %v, want %v", what, err, target)
	}
}

func TestEwNaiveIndex(t *testing.T) {
	// Checks the reference itself on a hand-computed case: shape (2,1,3)
	// at output coordinate (1,4,2) is element 1*3+2.
	if got := ewNaiveIndex([]int{1, 4, 2}, []int{2, 1, 3}); got != 5 {
		t.Fatalf("got %d", got)
	}
	if got := ewNaiveIndex([]int{1, 4, 2}, []int{5, 1}); got != 4 {
		t.Fatalf("got %d", got)
	}
}

// TestEwBinaryParPaths covers the three ways ewBinaryPar splits work
// (same shapes, many rows, few long rows) against the naive reference.
func TestEwBinaryParPaths(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	cases := [][2][]int{
		{{300, 400}, {300, 400}},
		{{4, 1, 20000}, {1, 8, 1}},
		{{1, 200000}, {1}},
		{{3}, {2, 70000, 1}},
	}
	for _, c := range cases {
		a, b := randF64(rng, -1, 1, c[0]...), randF64(rng, -1, 1, c[1]...)
		shape, err := tensor.BroadcastShape(a.Shape(), b.Shape())
		if err != nil {
			t.Fatal(err)
		}
		out := make([]float64, tensor.NumElements(shape))
		if err := ewBinaryPar(out, shape, tensor.Data[float64](a), a.Shape(), tensor.Data[float64](b), b.Shape(), 1024, subRow[float64]); err != nil {
			t.Fatal(err)
		}
		want := ewNaiveBinary(a, b, func(x, y float64) float64 { return x - y })
		assertClose(t, tensor.MustFromSlice(shape, out), want, 0, 0)
	}
}

func TestEwF16FromF64MatchesFloat32Path(t *testing.T) {
	// Every float32 is exact in float64, so rounding it directly to float16
	// must agree with the float32 conversion of the tensor package.
	rng := rand.New(rand.NewSource(6))
	check := func(f float32) {
		got, want := ewF16FromF64(float64(f)), tensor.F16From(f)
		if got != want && !(math.IsNaN(float64(f)) && got&0x7c00 == 0x7c00 && got&0x3ff != 0) {
			t.Fatalf("%v (%#x): got %#x want %#x", f, math.Float32bits(f), got, want)
		}
	}
	for i := 0; i < 200000; i++ {
		check(math.Float32frombits(rng.Uint32()))
	}
	// Around the float16 range: ties, subnormals, overflow.
	for h := uint32(0); h < 0x10000; h++ {
		v := tensor.F16(h).Float32()
		for _, d := range []float32{0, 1, -1} {
			bits := math.Float32bits(v)
			check(math.Float32frombits(uint32(int64(bits) + int64(d))))
		}
		check(v + float32(math.Ldexp(1, -25)))
	}
	// A float64 just above a float16 tie must round up even where float32
	// could not tell.
	tie := 1 + math.Ldexp(1, -11) // halfway between 1 and the next float16
	if got := ewF16FromF64(tie + math.Ldexp(1, -40)); got.Float32() != 1+float32(math.Ldexp(1, -10)) {
		t.Fatalf("above tie: got %v", got.Float32())
	}
	if got := ewF16FromF64(tie); got.Float32() != 1 {
		t.Fatalf("tie to even: got %v", got.Float32())
	}
}

// ewCheckUnaryLoose is ewCheckUnary for piecewise-linear ops whose float32
// kernels compute in float32 (a last-bit difference from the float64
// reference is expected, and absolute near zero).
func ewCheckUnaryLoose(t *testing.T, op string, version int, attrs []runtime.Attribute, ref func(float64) float64, lo, hi float64) {
	t.Helper()
	rng := rand.New(rand.NewSource(int64(len(op))))
	x64 := randF64(rng, lo, hi, 3, 7)
	assertClose(t, runOp(t, op, version, attrs, 1, x64)[0], ewMapRef(x64, ref), 1e-12, 1e-12)
	x32 := ewToF32(t, x64)
	assertClose(t, runOp(t, op, version, attrs, 1, x32)[0], ewMapRef(x32, ref), 1e-6, 1e-6)
}

// runtimeRunNode runs one node of op at opset 13 with recording on.
func runtimeRunNode(t *testing.T, op string, in []*tensor.Tensor) (*runtime.Forward, runtime.Kernel, error) {
	return runtime.RunNode(t.Context(), testRegistry(), opNode(op, in, 1), 13, in, runtime.RunOptions{})
}

// runtimeBackward runs k's backward rule for every input.
func runtimeBackward(t *testing.T, k runtime.Kernel, f *runtime.Forward, g *tensor.Tensor) ([]*tensor.Tensor, error) {
	return runtime.BackwardNode(t.Context(), k, f, []*tensor.Tensor{g}, nil, runtime.RunOptions{})
}

// ewCheckUlps checks that f32 is within one float32 ulp of ref (float64,
// rounded to float32) on a dense sweep of [lo, hi] plus the special
// values.
func ewCheckUlps(t *testing.T, f32 func(float32) float32, ref func(float64) float64, lo, hi float64) {
	t.Helper()
	const n = 400001
	check := func(v float32) {
		got, want := f32(v), float32(ref(float64(v)))
		if want != want {
			if got == got {
				t.Fatalf("f(%v) = %v, want NaN", v, got)
			}
			return
		}
		if got == want {
			return
		}
		if math.IsInf(float64(want), 0) || math.Signbit(float64(got)) != math.Signbit(float64(want)) ||
			absDiff(math.Float32bits(got), math.Float32bits(want)) > 1 {
			t.Fatalf("f(%v) = %v, want %v", v, got, want)
		}
	}
	for i := 0; i < n; i++ {
		check(float32(lo + (hi-lo)*float64(i)/(n-1)))
	}
	for _, v := range []float64{0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), math.NaN(), 1e-30, -1e-30, 1e30, -1e30} {
		check(float32(v))
	}
}

func absDiff(a, b uint32) uint32 {
	if a > b {
		return a - b
	}
	return b - a
}

func TestEwBroadcastSizeLimit(t *testing.T) {
	// (2^20, 1) against (1, 2^20) asks for 2^40 elements: refused before
	// allocating, for every broadcasting op of the family.
	a, b := tensor.Make[float32](1<<20, 1), tensor.Make[float32](1, 1<<20)
	c := tensor.Make[bool](1<<20, 1)
	for _, op := range []string{"Add", "Sub", "Mul", "Div", "Pow", "Max", "Sum", "Equal", "Less"} {
		ewExpectErr(t, op, runOpErr(op, 14, nil, 1, a, b), runtime.ErrTooLarge)
	}
	ewExpectErr(t, "And", runOpErr("And", 7, nil, 1, c, tensor.Make[bool](1, 1<<20)), runtime.ErrTooLarge)
	ewExpectErr(t, "Where", runOpErr("Where", 16, nil, 1, c, a, b), runtime.ErrTooLarge)
}

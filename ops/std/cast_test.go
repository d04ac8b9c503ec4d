package std

import (
	"errors"
	"math"
	"math/rand"
	"strconv"
	"testing"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
	"github.com/optnet-go/optnet/tensorpb"
)

// castTo runs Cast (opset 13) to dt.
func castTo(t *testing.T, x *tensor.Tensor, dt tensor.DType) *tensor.Tensor {
	t.Helper()
	got := runOp(t, "Cast", 13, attrsOf(attrInt("to", int64(tensorpb.ProtoDType(dt)))), 1, x)[0]
	if got.DType() != dt || !tensor.SameShape(got.Shape(), x.Shape()) {
		t.Fatalf("Cast to %v gave %v", dt, got)
	}
	return got
}

func TestCastFloatToInt(t *testing.T) {
	x := tensor.MustFromSlice([]int{7}, []float32{2.9, -2.9, 0.5, -0.5, 300.7, float32(math.NaN()), -1})
	i32 := tensor.Data[int32](castTo(t, x, tensor.Int32))
	want := []int32{2, -2, 0, 0, 300, 0, -1}
	for i := range want {
		if i32[i] != want[i] {
			t.Fatalf("int32: got %v want %v", i32, want)
		}
	}
	u8 := tensor.Data[uint8](castTo(t, x, tensor.Uint8))
	wantU8 := []uint8{2, 254, 0, 0, 44, 0, 255} // wraps through int64 like C
	for i := range wantU8 {
		if u8[i] != wantU8[i] {
			t.Fatalf("uint8: got %v want %v", u8, wantU8)
		}
	}
	big := tensor.Data[uint64](castTo(t, tensor.Scalar(1.5e19), tensor.Uint64))
	if big[0] != 15000000000000000000 {
		t.Fatalf("uint64 above int64: %v", big)
	}
}

func TestCastIntegers(t *testing.T) {
	x := tensor.MustFromSlice([]int{4}, []int64{-1, 256, 1 << 40, math.MaxInt64})
	u8 := tensor.Data[uint8](castTo(t, x, tensor.Uint8))
	if u8[0] != 255 || u8[1] != 0 || u8[2] != 0 || u8[3] != 255 {
		t.Fatalf("uint8: %v", u8)
	}
	f := tensor.Data[float32](castTo(t, x, tensor.Float32))
	if f[0] != -1 || f[3] != 9.223372e18 {
		t.Fatalf("float32: %v", f)
	}
	// int64 → float32 rounds once (not through float64): 2^24+1 and
	// 2^53+1 would double-round wrongly otherwise at the right inputs;
	// check against Go's conversion.
	v := int64(1<<60 + 1<<36 + 1)
	if got := tensor.Data[float32](castTo(t, tensor.Scalar(v), tensor.Float32))[0]; got != float32(v) {
		t.Fatalf("int64 %d → %v, want %v", v, got, float32(v))
	}
	b := tensor.Data[bool](castTo(t, tensor.MustFromSlice([]int{3}, []int8{0, -3, 1}), tensor.Bool))
	if b[0] || !b[1] || !b[2] {
		t.Fatalf("bool: %v", b)
	}
	back := tensor.Data[float64](castTo(t, tensor.MustFromSlice([]int{2}, []bool{true, false}), tensor.Float64))
	if back[0] != 1 || back[1] != 0 {
		t.Fatalf("from bool: %v", back)
	}
	same := tensor.MustFromSlice([]int{1}, []int32{5})
	if castTo(t, same, tensor.Int32) != same {
		t.Fatalf("a cast to the same type should return the input")
	}
}

func TestCastHalfTypes(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	x := randF64(rng, -100, 100, 50)
	h := tensor.Data[tensor.F16](castTo(t, x, tensor.Float16))
	for i, v := range tensor.Data[float64](x) {
		// Nearest float16: no float16 may be closer to v than the result.
		got := float64(h[i].Float32())
		lo, hi := float64((h[i] - 1).Float32()), float64((h[i] + 1).Float32())
		if math.Abs(got-v) > math.Abs(lo-v) || math.Abs(got-v) > math.Abs(hi-v) {
			t.Fatalf("%v → float16 %v, neighbours %v %v", v, got, lo, hi)
		}
	}
	// bfloat16 keeps the upper half of the float32 bits (ONNX 1.12).
	f := tensor.MustFromSlice([]int{4}, []float32{0.48033667, -1.9999, float32(math.Inf(-1)), float32(math.NaN())})
	b := tensor.Data[tensor.BF16](castTo(t, f, tensor.BFloat16))
	for i, v := range tensor.Data[float32](f)[:3] {
		if uint32(b[i]) != math.Float32bits(v)>>16 {
			t.Fatalf("bfloat16 of %v: %#x", v, b[i])
		}
	}
	if !math.IsNaN(float64(b[3].Float32())) {
		t.Fatalf("NaN → bfloat16 %#x", b[3])
	}
	// And back: exact.
	back := tensor.Data[float32](castTo(t, tensor.MustFromSlice([]int{2}, []tensor.BF16{0x3ef5, 0xc000}), tensor.Float32))
	if back[0] != 0.478515625 || back[1] != -2 {
		t.Fatalf("bfloat16 → float32: %v", back)
	}
	d := tensor.Data[float64](castTo(t, tensor.MustFromSlice([]int{1}, []tensor.F16{0x3555}), tensor.Float64))
	if d[0] != 0.333251953125 {
		t.Fatalf("float16 → float64: %v", d)
	}
}

func TestCastToString(t *testing.T) {
	x := tensor.MustFromSlice([]int{10}, []float32{0.039187793, 1, -2.5, 1e-5, 1e16, 123456789, float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)), 0.1})
	got := tensor.Data[string](castTo(t, x, tensor.String))
	want := []string{"0.039187793", "1.0", "-2.5", "1e-05", "1e+16", "123456790.0", "NaN", "INF", "-INF", "0.1"}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("element %d: got %q want %q", i, got[i], want[i])
		}
	}
	d := tensor.Data[string](castTo(t, tensor.MustFromSlice([]int{2}, []float64{0.1, 1.0 / 3}), tensor.String))
	if d[0] != "0.1" || d[1] != "0.3333333333333333" {
		t.Fatalf("float64: %v", d)
	}
	i := tensor.Data[string](castTo(t, tensor.MustFromSlice([]int{2}, []int64{-42, math.MaxInt64}), tensor.String))
	if i[0] != "-42" || i[1] != "9223372036854775807" {
		t.Fatalf("int64: %v", i)
	}
	u := tensor.Data[string](castTo(t, tensor.Scalar(uint64(math.MaxUint64)), tensor.String))
	if u[0] != "18446744073709551615" {
		t.Fatalf("uint64: %v", u)
	}
	b := tensor.Data[string](castTo(t, tensor.MustFromSlice([]int{2}, []bool{true, false}), tensor.String))
	if b[0] != "True" || b[1] != "False" {
		t.Fatalf("bool: %v", b)
	}
}

func TestCastFromString(t *testing.T) {
	s := tensor.MustFromSlice([]int{8}, []string{"3.14", "1e8", "-2.5E-3", "INF", "+inf", "-INF", "NaN", " 7 "})
	f := tensor.Data[float32](castTo(t, s, tensor.Float32))
	want := []float64{3.14, 1e8, -2.5e-3, math.Inf(1), math.Inf(1), math.Inf(-1), math.NaN(), 7}
	for i, w := range want {
		if !ewSame(float64(f[i]), float64(float32(w)), 0) {
			t.Fatalf("element %d: got %v want %v", i, f[i], float32(w))
		}
	}
	// A float32 parse rounds once: this decimal lies just above a float32
	// tie, which a float64 round trip would round the other way.
	tie := "1.00000005960464477539062500001"
	if got := tensor.Data[float32](castTo(t, tensor.Scalar(tie), tensor.Float32))[0]; got != 1.0000001 {
		t.Fatalf("%s → %v", tie, got)
	}
	ints := tensor.Data[int64](castTo(t, tensor.MustFromSlice([]int{3}, []string{"9007199254740993", "100.5", "-3"}), tensor.Int64))
	if ints[0] != 9007199254740993 || ints[1] != 100 || ints[2] != -3 {
		t.Fatalf("int64: %v", ints)
	}
	u := tensor.Data[uint64](castTo(t, tensor.Scalar("18446744073709551615"), tensor.Uint64))
	if u[0] != math.MaxUint64 {
		t.Fatalf("uint64: %v", u)
	}
	b := tensor.Data[bool](castTo(t, tensor.MustFromSlice([]int{4}, []string{"True", "false", "0", "2"}), tensor.Bool))
	if !b[0] || b[1] || b[2] || !b[3] {
		t.Fatalf("bool: %v", b)
	}
	h := tensor.Data[tensor.F16](castTo(t, tensor.Scalar("0.1"), tensor.Float16))
	if h[0] != tensor.F16From(0.1) {
		t.Fatalf("float16: %#x", h[0])
	}
	ewExpectErr(t, "not a number", runOpErr("Cast", 13, attrsOf(attrInt("to", 1)), 1, tensor.Scalar("hello")), tensor.ErrDType)
}

func TestCastRoundTripStrings(t *testing.T) {
	// Formatting then parsing gives back every float32 exactly.
	rng := rand.New(rand.NewSource(2))
	vals := make([]float32, 2000)
	for i := range vals {
		vals[i] = math.Float32frombits(rng.Uint32())
	}
	x := tensor.MustFromSlice([]int{len(vals)}, vals)
	back := tensor.Data[float32](castTo(t, castTo(t, x, tensor.String), tensor.Float32))
	for i, v := range vals {
		if back[i] != v && !(v != v && back[i] != back[i]) {
			t.Fatalf("%v → %q → %v", v, strconv.FormatFloat(float64(v), 'g', -1, 32), back[i])
		}
	}
}

func TestCastOpset1TypeName(t *testing.T) {
	got := runOp(t, "Cast", 1, attrsOf(attrString("to", "INT32")), 1, tensor.Scalar(float32(-3.7)))[0]
	if got.DType() != tensor.Int32 || tensor.Data[int32](got)[0] != -3 {
		t.Fatalf("got %v", got)
	}
	if err := runOpErr("Cast", 1, attrsOf(attrString("to", "QUATERNION")), 1, tensor.Scalar(float32(1))); !errors.Is(err, runtime.ErrInvalidGraph) {
		t.Fatalf("unknown type name: %v", err)
	}
}

func TestCastErrors(t *testing.T) {
	x := tensor.Scalar(float32(1))
	for _, attrs := range [][]runtime.Attribute{nil, attrsOf(attrInt("to", 99)), attrsOf(attrInt("to", 0)), attrsOf(attrString("to", "FLOAT"))} {
		if err := runOpErr("Cast", 13, attrs, 1, x); !errors.Is(err, runtime.ErrInvalidGraph) {
			t.Fatalf("attrs %v: %v", attrs, err)
		}
	}
}

func TestCastGradient(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	// float64 → float32 → gradient back in float64.
	x := randF64(rng, -1, 1, 3, 2)
	f, k, err := runtime.RunNode(t.Context(), testRegistry(), opNode("Cast", []*tensor.Tensor{x}, 1, attrInt("to", 1)), 13, []*tensor.Tensor{x}, runtime.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	g := ewToF32(t, randF64(rng, -1, 1, 3, 2))
	gs, err := runtime.BackwardNode(t.Context(), k, f, []*tensor.Tensor{g}, nil, runtime.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if gs[0].DType() != tensor.Float64 {
		t.Fatalf("gradient dtype %v", gs[0].DType())
	}
	assertClose(t, gs[0], g, 0, 0)
	// float64 → float64 (identity) through gradCheck.
	gradCheck(t, "Cast", 13, attrsOf(attrInt("to", 11)), []*tensor.Tensor{x}, 0)
	// Casts to integers are not differentiable.
	fi, ki, err := runtime.RunNode(t.Context(), testRegistry(), opNode("Cast", []*tensor.Tensor{x}, 1, attrInt("to", 7)), 13, []*tensor.Tensor{x}, runtime.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := runtime.BackwardNode(t.Context(), ki, fi, []*tensor.Tensor{tensor.Make[int64](3, 2)}, nil, runtime.RunOptions{}); !errors.Is(err, tensor.ErrDType) {
		t.Fatalf("int cast gradient: %v", err)
	}
}

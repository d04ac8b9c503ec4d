package std

import (
	"math"
	"math/rand"
	"testing"

	"github.com/optnet-go/optnet/runtime/tensor"
)

// ewCheckCompare compares a comparison op with a reference predicate on
// float64, float32, float16 and int32 inputs with broadcasting.
func ewCheckCompare(t *testing.T, op string, version int, pred func(x, y float64) bool) {
	t.Helper()
	rng := rand.New(rand.NewSource(1))
	// Small integers so that ties occur.
	a, b := tensor.Make[float64](2, 3, 4), tensor.Make[float64](3, 1)
	for _, x := range []*tensor.Tensor{a, b} {
		for i := range tensor.Data[float64](x) {
			tensor.Data[float64](x)[i] = float64(rng.Intn(5) - 2)
		}
	}
	tensor.Data[float64](a)[0] = math.NaN()
	want := ewNaiveBinary(a, b, func(x, y float64) float64 {
		if pred(x, y) {
			return 1
		}
		return 0
	})
	for _, dt := range []tensor.DType{tensor.Float64, tensor.Float32, tensor.Float16, tensor.BFloat16, tensor.Int32, tensor.Uint8} {
		x, y := a, b
		if dt.IsInt() {
			x = a.Clone()
			tensor.Data[float64](x)[0] = 0
			want = ewNaiveBinary(x, b, func(x, y float64) float64 {
				if pred(x, y) {
					return 1
				}
				return 0
			})
			if dt == tensor.Uint8 { // shift into range
				x, y = ewMapRef(x, func(v float64) float64 { return v + 2 }), ewMapRef(b, func(v float64) float64 { return v + 2 })
			}
		}
		xc, err := tensor.Convert(x, dt)
		if err != nil {
			t.Fatal(err)
		}
		yc, err := tensor.Convert(y, dt)
		if err != nil {
			t.Fatal(err)
		}
		got := runOp(t, op, version, nil, 1, xc, yc)[0]
		if got.DType() != tensor.Bool {
			t.Fatalf("%s %v: dtype %v", op, dt, got.DType())
		}
		assertClose(t, got, want, 0, 0)
	}
	ewExpectErr(t, op+" mixed dtypes", runOpErr(op, version, nil, 1, tensor.Scalar(float32(1)), tensor.Scalar(int32(1))), tensor.ErrDType)
	ewExpectErr(t, op+" shapes", runOpErr(op, version, nil, 1, tensor.Make[float32](2), tensor.Make[float32](3)), tensor.ErrShape)
}

func TestEqual(t *testing.T) {
	ewCheckCompare(t, "Equal", 13, func(x, y float64) bool { return x == y })
	got := tensor.Data[bool](runOp(t, "Equal", 13, nil, 1, tensor.MustFromSlice([]int{3}, []bool{true, false, true}), tensor.Scalar(true))[0])
	if !got[0] || got[1] || !got[2] {
		t.Fatalf("bool: %v", got)
	}
	s := tensor.Data[bool](runOp(t, "Equal", 19, nil, 1, tensor.MustFromSlice([]int{2}, []string{"a", "b"}), tensor.Scalar("b"))[0])
	if s[0] || !s[1] {
		t.Fatalf("string: %v", s)
	}
	i := tensor.Data[bool](runOp(t, "Equal", 13, nil, 1, tensor.Scalar(int64(math.MaxInt64)), tensor.Scalar(int64(math.MaxInt64-1)))[0])
	if i[0] {
		t.Fatalf("int64 compared through float64")
	}
}

func TestEqualLegacyBroadcast(t *testing.T) {
	a := tensor.MustFromSlice([]int{2, 2}, []int32{1, 1, 2, 3})
	b := tensor.MustFromSlice([]int{2}, []int32{1, 2})
	got := tensor.Data[bool](runOp(t, "Equal", 1, attrsOf(attrInt("broadcast", 1), attrInt("axis", 0)), 1, a, b)[0])
	want := []bool{true, true, true, false}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("got %v want %v", got, want)
		}
	}
}

package std

import (
	"errors"
	"math"
	"math/rand"
	"testing"

	"github.com/optnet-go/optnet/runtime/tensor"
)

// naiveArg is a reference ArgMax/ArgMin over one axis by direct indexing.
func naiveArg(x []float64, shape []int, ax int, isMax, last bool) []int64 {
	st := tensor.Strides(shape)
	var out []int64
	var rec func(d int, off int)
	rec = func(d int, off int) {
		if d == len(shape) {
			bi := 0
			for r := 1; r < shape[ax]; r++ {
				v, b := x[off+r*st[ax]], x[off+bi*st[ax]]
				if (isMax && v > b) || (!isMax && v < b) || (last && v == b) {
					bi = r
				}
			}
			out = append(out, int64(bi))
			return
		}
		if d == ax {
			rec(d+1, off)
			return
		}
		for i := 0; i < shape[d]; i++ {
			rec(d+1, off+i*st[d])
		}
	}
	rec(0, 0)
	return out
}

func TestArgMaxMinMatchesNaive(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	for _, shape := range [][]int{{5}, {3, 4}, {2, 3, 4}, {2, 1, 3, 5}, {300, 400}} {
		x := tensor.Make[float64](shape...)
		d := tensor.Data[float64](x)
		for i := range d {
			d[i] = float64(rng.Intn(7)) // many ties
		}
		for ax := -len(shape); ax < len(shape); ax++ {
			for _, last := range []int64{0, 1} {
				for _, op := range []string{"ArgMax", "ArgMin"} {
					pos := ax
					if pos < 0 {
						pos += len(shape)
					}
					want := naiveArg(d, shape, pos, op == "ArgMax", last == 1)
					got := runOp(t, op, 13, attrsOf(attrInt("axis", int64(ax)), attrInt("keepdims", 0), attrInt("select_last_index", last)), 1, x)[0]
					ws := append(append([]int{}, shape[:pos]...), shape[pos+1:]...)
					if got.DType() != tensor.Int64 || !tensor.SameShape(got.Shape(), ws) {
						t.Fatalf("%s axis %d: got %v, want int64%v", op, ax, got, ws)
					}
					for i, v := range tensor.Data[int64](got) {
						if v != want[i] {
							t.Fatalf("%s %v axis %d last %d: element %d = %d, want %d", op, shape, ax, last, i, v, want[i])
						}
					}
				}
			}
		}
	}
}

func TestArgMaxKeepdimsTypesNaN(t *testing.T) {
	x := tensor.MustFromSlice([]int{2, 2}, []int32{1, 5, 7, -3})
	got := runOp(t, "ArgMax", 11, attrsOf(attrInt("axis", 1)), 1, x)[0]
	if !tensor.SameShape(got.Shape(), []int{2, 1}) || tensor.Data[int64](got)[0] != 1 || tensor.Data[int64](got)[1] != 0 {
		t.Fatalf("int32 keepdims: %v %v", got, tensor.Data[int64](got))
	}
	u := tensor.MustFromSlice([]int{3}, []uint8{4, 200, 9})
	if v := tensor.Data[int64](runOp(t, "ArgMin", 13, nil, 1, u)[0])[0]; v != 0 {
		t.Fatalf("uint8 argmin %d", v)
	}
	h := tensor.MustFromSlice([]int{3}, []tensor.F16{tensor.F16From(1), tensor.F16From(-2), tensor.F16From(3)})
	if v := tensor.Data[int64](runOp(t, "ArgMin", 13, nil, 1, h)[0])[0]; v != 1 {
		t.Fatalf("float16 argmin %d", v)
	}
	// NaN is the extreme for both, as in NumPy; the first NaN unless last.
	nan := math.NaN()
	f := tensor.MustFromSlice([]int{5}, []float64{1, nan, 9, nan, 0})
	for _, c := range []struct {
		op   string
		last int64
		want int64
	}{{"ArgMax", 0, 1}, {"ArgMax", 1, 3}, {"ArgMin", 0, 1}, {"ArgMin", 1, 3}} {
		got := runOp(t, c.op, 13, attrsOf(attrInt("select_last_index", c.last)), 1, f)[0]
		if v := tensor.Data[int64](got)[0]; v != c.want {
			t.Fatalf("%s last=%d with NaN: %d, want %d", c.op, c.last, v, c.want)
		}
	}
}

func TestArgMaxErrors(t *testing.T) {
	x := tensor.Make[float32](2, 3)
	if err := runOpErr("ArgMax", 13, attrsOf(attrInt("axis", 2)), 1, x); !errors.Is(err, tensor.ErrShape) {
		t.Errorf("axis out of range: %v", err)
	}
	if err := runOpErr("ArgMin", 13, attrsOf(attrInt("axis", 1)), 1, tensor.Make[float32](2, 0)); !errors.Is(err, tensor.ErrShape) {
		t.Errorf("empty axis: %v", err)
	}
	if err := runOpErr("ArgMax", 13, nil, 1, tensor.Scalar(float32(1))); !errors.Is(err, tensor.ErrShape) {
		t.Errorf("scalar: %v", err)
	}
	if err := runOpErr("ArgMax", 13, nil, 1, tensor.MustFromSlice([]int{1}, []string{"a"})); !errors.Is(err, tensor.ErrDType) {
		t.Errorf("string: %v", err)
	}
}

func TestArgMaxEmptyOtherDims(t *testing.T) {
	// Reducing a non-empty axis of a tensor that has a zero-size dim
	// elsewhere gives an empty result (found by FuzzRun: it used to divide
	// by zero choosing the parallel grain).
	x := tensor.Make[float32](3, 0, 3)
	got := runOp(t, "ArgMax", 13, attrsOf(attrInt("axis", 0)), 1, x)[0]
	if !tensor.SameShape(got.Shape(), []int{1, 0, 3}) || got.Len() != 0 {
		t.Fatalf("got %v", got)
	}
	if err := runOpErr("ArgMin", 13, attrsOf(attrInt("axis", 1)), 1, x); !errors.Is(err, tensor.ErrShape) {
		t.Fatalf("arg-reduction over an empty axis: %v", err)
	}
}

package tensor

import (
	"errors"
	"math"
	"math/rand"
	"testing"
)

func TestF16RoundTripAllPatterns(t *testing.T) {
	for u := 0; u < 1<<16; u++ {
		h := F16(u)
		f := h.Float32()
		back := F16From(f)
		if math.IsNaN(float64(f)) {
			if !math.IsNaN(float64(back.Float32())) {
				t.Fatalf("NaN pattern %#04x did not stay NaN", u)
			}
			continue
		}
		if back != h {
			t.Fatalf("pattern %#04x -> %v -> %#04x", u, f, uint16(back))
		}
	}
}

func TestF16Rounding(t *testing.T) {
	cases := []struct {
		in   float32
		want float32
	}{
		{1, 1},
		{65504, 65504},
		{65520, float32(math.Inf(1))}, // rounds up past max
		{1 + 1.0/2048, 1},             // tie rounds to even
		{1 + 3.0/2048, 1 + 2.0/1024},  // tie rounds to even (up)
		{5.960464477539063e-08, 5.960464477539063e-08},
		{2.9e-08, 0},
		{float32(math.Copysign(0, -1)), float32(math.Copysign(0, -1))},
	}
	for _, c := range cases {
		got := F16From(c.in).Float32()
		if got != c.want || math.Signbit(float64(got)) != math.Signbit(float64(c.want)) {
			t.Errorf("F16From(%v) = %v, want %v", c.in, got, c.want)
		}
	}
	if got := BF16From(1.00390625).Float32(); got != 1 { // tie to even
		t.Errorf("BF16From tie = %v", got)
	}
	if got := BF16From(3.14159).Float32(); math.Abs(float64(got)-3.140625) > 1e-6 {
		t.Errorf("BF16From(pi) = %v", got)
	}
}

// naiveBroadcastIndex maps an output index to an operand offset.
func naiveOffset(outIdx []int, shape []int) int {
	off := len(outIdx) - len(shape)
	st := Strides(shape)
	o := 0
	for i, d := range shape {
		if d != 1 {
			o += outIdx[off+i] * st[i]
		}
	}
	return o
}

func TestBroadcasterMatchesNaive(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for trial := 0; trial < 500; trial++ {
		rank := rng.Intn(5)
		out := make([]int, rank)
		for i := range out {
			out[i] = 1 + rng.Intn(4)
		}
		ops := make([][]int, 1+rng.Intn(3))
		for j := range ops {
			r := rng.Intn(rank + 1)
			s := make([]int, r)
			for i := range s {
				if rng.Intn(2) == 0 {
					s[i] = 1
				} else {
					s[i] = out[rank-r+i]
				}
			}
			ops[j] = s
		}
		bs, err := BroadcastShape(append([][]int{out}, ops...)...)
		if err != nil || !SameShape(bs, out) {
			t.Fatalf("BroadcastShape(%v, %v) = %v, %v", out, ops, bs, err)
		}
		b, err := NewBroadcaster(out, ops...)
		if err != nil {
			t.Fatal(err)
		}
		n := NumElements(out)
		seen := make([]bool, n)
		b.ForRows(0, b.Rows(), func(o int, in []int) {
			for e := 0; e < b.RowLen(); e++ {
				pos := o + e
				seen[pos] = true
				idx := unravel(pos, out)
				for j, s := range ops {
					if want, got := naiveOffset(idx, s), in[j]+e*b.Steps()[j]; want != got {
						t.Fatalf("out %v operand %v at %v: offset %d, want %d", out, s, idx, got, want)
					}
				}
			}
		})
		for i, s := range seen {
			if !s {
				t.Fatalf("out %v ops %v: element %d not visited", out, ops, i)
			}
		}
		// Starting mid-way must give the same offsets.
		if b.Rows() > 1 {
			mid := b.Rows() / 2
			var first []int
			b.ForRows(mid, mid+1, func(o int, in []int) { first = append([]int{o}, in...) })
			var want []int
			b.ForRows(0, b.Rows(), func(o int, in []int) {
				if o == mid*b.RowLen() {
					want = append([]int{o}, in...)
				}
			})
			for i := range want {
				if want[i] != first[i] {
					t.Fatalf("ForRows(mid) = %v, want %v", first, want)
				}
			}
		}
	}
}

func unravel(pos int, shape []int) []int {
	idx := make([]int, len(shape))
	for i := len(shape) - 1; i >= 0; i-- {
		idx[i] = pos % shape[i]
		pos /= shape[i]
	}
	return idx
}

func TestBroadcastShapeErrors(t *testing.T) {
	if _, err := BroadcastShape([]int{2, 3}, []int{4, 3}); !errors.Is(err, ErrShape) {
		t.Fatalf("want ErrShape, got %v", err)
	}
	s, err := BroadcastShape([]int{2, 1, 3}, []int{4, 1}, nil)
	if err != nil || !SameShape(s, []int{2, 4, 3}) {
		t.Fatalf("got %v %v", s, err)
	}
	s, err = BroadcastShape([]int{0, 1}, []int{1, 5})
	if err != nil || !SameShape(s, []int{0, 5}) {
		t.Fatalf("zero dim: got %v %v", s, err)
	}
}

func TestMap2Broadcast(t *testing.T) {
	a := MustFromSlice([]int{2, 1}, []float32{1, 2})
	b := MustFromSlice([]int{3}, []float32{10, 20, 30})
	out := make([]float32, 6)
	if err := Map2(out, []int{2, 3}, Data[float32](a), a.Shape(), Data[float32](b), b.Shape(),
		func(x, y float32) float32 { return x + y }); err != nil {
		t.Fatal(err)
	}
	want := []float32{11, 21, 31, 12, 22, 32}
	for i := range want {
		if out[i] != want[i] {
			t.Fatalf("got %v want %v", out, want)
		}
	}
}

func TestConvert(t *testing.T) {
	f := MustFromSlice([]int{5}, []float32{-1.7, 0, 2.9, float32(math.NaN()), 300})
	i8, err := Convert(f, Int32)
	if err != nil {
		t.Fatal(err)
	}
	got := Data[int32](i8)
	if got[0] != -1 || got[1] != 0 || got[2] != 2 || got[4] != 300 {
		t.Fatalf("float->int32 = %v", got)
	}
	b, _ := Convert(f, Bool)
	if bs := Data[bool](b); !bs[0] || bs[1] || !bs[3] {
		t.Fatalf("float->bool = %v", bs)
	}
	s, _ := Convert(MustFromSlice([]int{2}, []int64{-3, 9007199254740993}), String)
	if ss := Data[string](s); ss[0] != "-3" || ss[1] != "9007199254740993" {
		t.Fatalf("int->string = %v", ss)
	}
	back, err := Convert(MustFromSlice([]int{2}, []string{"1.5", "true"}), Float64)
	if err != nil || Data[float64](back)[0] != 1.5 || Data[float64](back)[1] != 1 {
		t.Fatalf("string->float = %v %v", back, err)
	}
	if _, err := Convert(MustFromSlice([]int{1}, []string{"x"}), Float32); !errors.Is(err, ErrDType) {
		t.Fatalf("want ErrDType, got %v", err)
	}
	big, _ := Convert(MustFromSlice([]int{1}, []int64{1<<40 + 1}), Uint64)
	if Data[uint64](big)[0] != 1<<40+1 {
		t.Fatalf("int64->uint64 lost precision: %v", Data[uint64](big))
	}
}

func TestShapeValidation(t *testing.T) {
	if _, err := FromSlice([]int{2, 2}, []float32{1, 2, 3}); !errors.Is(err, ErrShape) {
		t.Fatalf("size mismatch: %v", err)
	}
	if _, err := Zeros(Float32, -1, 3); !errors.Is(err, ErrShape) {
		t.Fatalf("negative dim: %v", err)
	}
	if n := NumElements([]int{1 << 40, 1 << 40}); n != -1 {
		t.Fatalf("overflow not detected: %d", n)
	}
	x := MustFromSlice([]int{2, 3}, []int64{1, 2, 3, 4, 5, 6})
	y, err := x.Reshape(3, 2)
	if err != nil || y.Dim(-1) != 2 || &Data[int64](y)[0] != &Data[int64](x)[0] {
		t.Fatalf("reshape should share storage: %v %v", y, err)
	}
	c := x.Clone()
	Data[int64](c)[0] = 42
	if Data[int64](x)[0] != 1 {
		t.Fatal("clone shares storage")
	}
}

func TestSumTo(t *testing.T) {
	g := MustFromSlice([]int{2, 3}, []float64{1, 2, 3, 4, 5, 6})
	cases := []struct {
		shape []int
		want  []float64
	}{
		{[]int{3}, []float64{5, 7, 9}},
		{[]int{2, 1}, []float64{6, 15}},
		{[]int{}, []float64{21}},
		{[]int{1, 3}, []float64{5, 7, 9}},
		{[]int{2, 3}, []float64{1, 2, 3, 4, 5, 6}},
	}
	for _, c := range cases {
		r, err := SumTo(g, c.shape)
		if err != nil {
			t.Fatal(err)
		}
		if !SameShape(r.Shape(), c.shape) {
			t.Fatalf("shape %v, want %v", r.Shape(), c.shape)
		}
		for i, v := range Data[float64](r) {
			if v != c.want[i] {
				t.Fatalf("SumTo(%v) = %v, want %v", c.shape, Data[float64](r), c.want)
			}
		}
	}
}

package vecf32

import (
	"math"
	"math/rand/v2"
	"testing"
)

func randF32(r *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(r.Float64()*4 - 2)
	}
	return s
}

// same reports whether got equals want, NaN matching NaN and -0 matching +0.
func same(got, want float32) bool {
	return got == want || math.IsNaN(float64(got)) && math.IsNaN(float64(want))
}

var bounds = [][2]float32{{0, float32(math.Inf(1))}, {0, 6}, {-0.5, 0.25}, {float32(math.Inf(-1)), float32(math.Inf(1))}}

func TestBiasClamp(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for n := range 70 {
		for _, bd := range bounds {
			x := randF32(r, n)
			res := randF32(r, n)
			if n > 3 {
				x[3] = float32(math.NaN())
			}
			b := float32(r.Float64() - 0.5)
			y, z := append([]float32(nil), x...), append([]float32(nil), x...)
			BiasClamp(y, b, bd[0], bd[1])
			BiasAddClamp(z, res, b, bd[0], bd[1])
			for i := range x {
				if want := min(max(x[i]+b, bd[0]), bd[1]); !same(y[i], want) {
					t.Fatalf("n=%d %v: BiasClamp[%d] = %v, want %v", n, bd, i, y[i], want)
				}
				if want := min(max((x[i]+b)+res[i], bd[0]), bd[1]); !same(z[i], want) {
					t.Fatalf("n=%d %v: BiasAddClamp[%d] = %v, want %v", n, bd, i, z[i], want)
				}
			}
		}
	}
}

func TestTap9(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for n := range 70 {
		for _, bd := range bounds {
			var s [9][]float32
			var w [9]float32
			for i := range s {
				s[i] = randF32(r, n+i) // longer than d is fine
				w[i] = float32(r.Float64()*2 - 1)
			}
			if n > 20 {
				s[4][17] = float32(math.NaN())
			}
			b := float32(r.Float64())
			d := make([]float32, n)
			ss := s
			Tap9(d, &ss, &w, b, bd[0], bd[1])
			for j := range d {
				acc := float64(b)
				for i := range 9 {
					acc += float64(w[i]) * float64(s[i][j])
				}
				want := min(max(acc, float64(bd[0])), float64(bd[1]))
				if math.IsNaN(want) != math.IsNaN(float64(d[j])) || math.Abs(float64(d[j])-want) > 1e-5 {
					t.Fatalf("n=%d %v: d[%d] = %v, want %v", n, bd, j, d[j], want)
				}
			}
		}
	}
}

func BenchmarkTap9(b *testing.B) {
	r := rand.New(rand.NewPCG(3, 4))
	var s [9][]float32
	var w [9]float32
	for i := range s {
		s[i] = randF32(r, 128)
	}
	d := make([]float32, 112)
	b.SetBytes(112 * 4)
	for b.Loop() {
		ss := s
		Tap9(d, &ss, &w, 0, 0, 6)
	}
}

func TestMaxInto(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	nan := float32(math.NaN())
	for n := range 70 {
		d, s := randF32(r, n), randF32(r, n+3)
		if n > 20 {
			d[2], s[5], d[19], s[19] = nan, nan, nan, nan
		}
		want := make([]float32, n)
		for i := range want {
			want[i] = max(d[i], s[i])
		}
		MaxInto(d, s)
		for i := range want {
			if !same(d[i], want[i]) {
				t.Fatalf("n=%d: d[%d] = %v, want %v", n, i, d[i], want[i])
			}
		}
	}
}

func TestDeinterleave(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	for n := range 70 {
		src := randF32(r, n)
		even, odd := make([]float32, (n+1)/2+2), make([]float32, n/2+2)
		even[len(even)-1], odd[len(odd)-1] = 42, 42
		Deinterleave(even, odd, src)
		for j := range (n + 1) / 2 {
			if even[j] != src[2*j] {
				t.Fatalf("n=%d: even[%d] = %v, want %v", n, j, even[j], src[2*j])
			}
		}
		for j := range n / 2 {
			if odd[j] != src[2*j+1] {
				t.Fatalf("n=%d: odd[%d] = %v, want %v", n, j, odd[j], src[2*j+1])
			}
		}
		if even[len(even)-1] != 42 || odd[len(odd)-1] != 42 {
			t.Fatalf("n=%d: wrote past the halves", n)
		}
	}
}

func TestTap9Rows(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	for _, sz := range [][4]int{{1, 1, 1, 1}, {7, 3, 9, 9}, {16, 2, 20, 18}, {33, 4, 40, 35}, {5, 6, 5, 8}} {
		n, rows, dstride, sstride := sz[0], sz[1], sz[2], sz[3]
		var s [9][]float32
		var w [9]float32
		for i := range s {
			s[i] = randF32(r, (rows-1)*sstride+n)
			w[i] = float32(r.Float64()*2 - 1)
		}
		d := make([]float32, (rows-1)*dstride+n+1)
		d[len(d)-1] = 42
		ss := s
		Tap9Rows(d[:len(d)-1], n, rows, dstride, &ss, sstride, &w, 0.5, 0, 6)
		for row := range rows {
			want := make([]float32, n)
			var src [9][]float32
			for i := range s {
				src[i] = s[i][row*sstride:]
			}
			Tap9(want, &src, &w, 0.5, 0, 6)
			for j := range n {
				if d[row*dstride+j] != want[j] {
					t.Fatalf("%v: row %d d[%d] = %v, want %v", sz, row, j, d[row*dstride+j], want[j])
				}
			}
		}
		if d[len(d)-1] != 42 {
			t.Fatalf("%v: wrote past the last row", sz)
		}
	}
}

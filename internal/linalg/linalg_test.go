package linalg

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// Each test runs under every kernel set this CPU has (portable Go, AVX2+FMA
// and AVX-512) and compares against naive loops.
func bothPaths(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	if !haveAccel {
		t.Log("vector kernels unavailable on this CPU: portable kernels only")
	}
	for _, ks := range kernelSets() {
		restore := ks.set()
		t.Run(ks.name, f)
		restore()
	}
}

func randSlice(rng *rand.Rand, n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	return x
}

func close(t *testing.T, what string, got, want []float64, tol float64) {
	t.Helper()
	for i := range want {
		if d := math.Abs(got[i] - want[i]); d > tol*(1+math.Abs(want[i])) || math.IsNaN(got[i]) {
			t.Fatalf("%s[%d] = %.17g, want %.17g", what, i, got[i], want[i])
		}
	}
}

var sizes = []int{1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 23, 24, 25, 31, 33, 47, 48, 49, 64, 100, 131}

func TestDotAxpy(t *testing.T) {
	bothPaths(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(1, 1))
		for _, n := range sizes {
			x, y := randSlice(rng, n+3), randSlice(rng, n+3)
			want := 0.0
			for i := 0; i < n; i++ {
				want += x[i] * y[i]
			}
			if got := Dot(n, x, y); math.Abs(got-want) > 1e-12*(1+math.Abs(want)) {
				t.Fatalf("Dot n=%d: %v want %v", n, got, want)
			}
			w2 := randSlice(rng, n+3)
			d2 := append([]float64(nil), w2...)
			Axpy2(n, 0.3, x, -1.25, y, d2)
			for i := range d2 {
				w := w2[i]
				if i < n {
					w += 0.3*x[i] - 1.25*y[i]
				}
				if math.Abs(d2[i]-w) > 1e-14*(1+math.Abs(w)) {
					t.Fatalf("Axpy2 n=%d [%d]: %v want %v", n, i, d2[i], w)
				}
			}
			yy := append([]float64(nil), y...)
			Axpy(n, 0.7, x, yy)
			for i := range y {
				w := y[i]
				if i < n {
					w += 0.7 * x[i]
				}
				if math.Abs(yy[i]-w) > 1e-14*(1+math.Abs(w)) {
					t.Fatalf("Axpy n=%d [%d]: %v want %v", n, i, yy[i], w)
				}
			}
		}
	})
}

func TestGemv(t *testing.T) {
	bothPaths(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(2, 2))
		for _, m := range []int{1, 3, 4, 5, 9, 17} {
			for _, n := range sizes {
				lda := n + 2
				a := randSlice(rng, m*lda)
				x, xm := randSlice(rng, n), randSlice(rng, m)
				y, yt := randSlice(rng, m), randSlice(rng, n)
				want, wantT := append([]float64(nil), y...), append([]float64(nil), yt...)
				for i := 0; i < m; i++ {
					for j := 0; j < n; j++ {
						want[i] += -1.5 * a[i*lda+j] * x[j]
						wantT[j] += 0.5 * a[i*lda+j] * xm[i]
					}
				}
				Gemv(m, n, -1.5, a, lda, x, y)
				GemvT(m, n, 0.5, a, lda, xm, yt)
				close(t, fmt.Sprintf("Gemv %dx%d", m, n), y, want, 1e-12)
				close(t, fmt.Sprintf("GemvT %dx%d", m, n), yt, wantT, 1e-12)
			}
		}
	})
}

func TestGemmSyrk(t *testing.T) {
	bothPaths(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(3, 3))
		for _, m := range []int{1, 4, 5, 8, 13, 33} {
			for _, n := range []int{1, 3, 4, 7, 8, 12, 17, 40} {
				for _, k := range []int{1, 2, 9, 30} {
					lda, ldb, ldc := m+1, n+3, n+2
					a, b, c := randSlice(rng, k*lda), randSlice(rng, k*ldb), randSlice(rng, m*ldc)
					want := append([]float64(nil), c...)
					for i := 0; i < m; i++ {
						for j := 0; j < n; j++ {
							s := 0.0
							for r := 0; r < k; r++ {
								s += a[r*lda+i] * b[r*ldb+j]
							}
							want[i*ldc+j] += -0.5 * s
						}
					}
					GemmTN(m, n, k, -0.5, a, lda, b, ldb, c, ldc)
					close(t, fmt.Sprintf("GemmTN m=%d n=%d k=%d", m, n, k), c, want, 1e-12)
				}
			}
		}
		for _, n := range sizes {
			k := 7
			lda, ldc := n+1, n+4
			a, c := randSlice(rng, k*lda), randSlice(rng, n*ldc)
			want := append([]float64(nil), c...)
			SyrkTN(n, k, 2, a, lda, c, ldc)
			for i := 0; i < n; i++ {
				for j := i; j < n; j++ {
					s := 0.0
					for r := 0; r < k; r++ {
						s += a[r*lda+i] * a[r*lda+j]
					}
					want[i*ldc+j] += 2 * s
					if d := math.Abs(c[i*ldc+j] - want[i*ldc+j]); d > 1e-12*(1+math.Abs(want[i*ldc+j])) {
						t.Fatalf("SyrkTN n=%d (%d,%d): %v want %v", n, i, j, c[i*ldc+j], want[i*ldc+j])
					}
				}
			}
		}
	})
}

func TestSyrkEnvelope(t *testing.T) {
	bothPaths(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(9, 9))
		for _, n := range []int{1, 3, 4, 9, 17} {
			k := 13
			first := make([]int, n)
			for i := 1; i < n; i++ {
				first[i] = min(first[i-1]+rng.IntN(3), k)
			}
			a := randSlice(rng, k*n)
			for i := 0; i < n; i++ {
				for r := 0; r < first[i]; r++ {
					a[r*n+i] = 0
				}
			}
			c1, c2 := randSlice(rng, n*n), make([]float64, n*n)
			copy(c2, c1)
			SyrkTN(n, k, 1.5, a, n, c1, n)
			SyrkTNEnvelope(n, k, first, 1.5, a, n, c2, n)
			for i := 0; i < n; i++ {
				for j := i; j < n; j++ {
					if math.Abs(c1[i*n+j]-c2[i*n+j]) > 1e-12*(1+math.Abs(c1[i*n+j])) {
						t.Fatalf("n=%d (%d,%d): envelope %v, full %v", n, i, j, c2[i*n+j], c1[i*n+j])
					}
				}
			}
		}
	})
}

// spd returns a random symmetric positive definite matrix with leading
// dimension ld.
func spd(rng *rand.Rand, n, ld int) []float64 {
	l := randSlice(rng, n*n)
	a := make([]float64, n*ld)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			s := 0.0
			for r := 0; r < n; r++ {
				s += l[i*n+r] * l[j*n+r]
			}
			a[i*ld+j] = s / float64(n)
		}
		a[i*ld+i] += 0.5
	}
	return a
}

func TestPotrfSolve(t *testing.T) {
	bothPaths(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(4, 4))
		for _, n := range sizes {
			ld := n + 1
			a := spd(rng, n, ld)
			u := append([]float64(nil), a...)
			if !Potrf(n, u, ld) {
				t.Fatalf("n=%d: Potrf failed on an SPD matrix", n)
			}
			// UᵀU reproduces A.
			for i := 0; i < n; i++ {
				for j := i; j < n; j++ {
					s := 0.0
					for r := 0; r <= i; r++ {
						s += u[r*ld+i] * u[r*ld+j]
					}
					if math.Abs(s-a[i*ld+j]) > 1e-12*float64(n) {
						t.Fatalf("n=%d: (UᵀU)[%d][%d] = %v, A = %v", n, i, j, s, a[i*ld+j])
					}
				}
			}
			// Solves: A x = b.
			b := randSlice(rng, n)
			x := append([]float64(nil), b...)
			SolveChol(n, u, ld, x)
			r := make([]float64, n)
			for i := 0; i < n; i++ {
				for j := 0; j < n; j++ {
					r[i] += a[min(i, j)*ld+max(i, j)] * x[j]
				}
			}
			close(t, fmt.Sprintf("A·x n=%d", n), r, b, 1e-9)
			// Multi-RHS: Uᵀ X = B.
			nr := 5 + n%7
			bm := randSlice(rng, n*nr)
			xm := append([]float64(nil), bm...)
			SolveUTMulti(n, nr, u, ld, xm, nr)
			for c := 0; c < nr; c++ {
				col := make([]float64, n)
				for i := range col {
					col[i] = bm[i*nr+c]
				}
				SolveUT(n, u, ld, col)
				for i := range col {
					if math.Abs(col[i]-xm[i*nr+c]) > 1e-10*(1+math.Abs(col[i])) {
						t.Fatalf("SolveUTMulti n=%d: X[%d][%d] = %v, column solve %v", n, i, c, xm[i*nr+c], col[i])
					}
				}
			}
		}
	})
}

func TestPotrfRejects(t *testing.T) {
	bothPaths(t, func(t *testing.T) {
		for _, n := range []int{1, 5, 40} {
			a := make([]float64, n*n)
			for i := 0; i < n; i++ {
				a[i*n+i] = 1
			}
			a[(n-1)*n+n-1] = -1
			if Potrf(n, a, n) {
				t.Errorf("n=%d: Potrf accepted an indefinite matrix", n)
			}
			a[(n-1)*n+n-1] = math.NaN()
			if Potrf(n, a, n) {
				t.Errorf("n=%d: Potrf accepted NaN", n)
			}
		}
	})
}

// TestPathsAgree checks that every kernel set gives the same Cholesky factor
// as the portable one, up to rounding.
func TestPathsAgree(t *testing.T) {
	sets := kernelSets()
	if len(sets) == 1 {
		t.Skip("no vector kernels on this CPU")
	}
	rng := rand.New(rand.NewPCG(5, 5))
	for _, n := range []int{50, 100, 199} {
		a := spd(rng, n, n)
		var ref []float64
		for _, ks := range sets {
			u := append([]float64(nil), a...)
			restore := ks.set()
			Potrf(n, u, n)
			restore()
			if ref == nil {
				ref = u
				continue
			}
			for i := 0; i < n; i++ {
				for j := i; j < n; j++ {
					if d := math.Abs(u[i*n+j] - ref[i*n+j]); d > 1e-11 {
						t.Fatalf("n=%d: U[%d][%d] %s %v, portable %v", n, i, j, ks.name, u[i*n+j], ref[i*n+j])
					}
				}
			}
		}
	}
}

func TestBadSizesPanic(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Potrf on a short slice did not panic")
		}
	}()
	Potrf(4, make([]float64, 15), 4)
}

func TestPotrfShiftedScal(t *testing.T) {
	bothPaths(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(6, 6))
		for _, n := range sizes {
			ld := n + 2
			s := spd(rng, n, ld)
			d := make([]float64, n)
			for i := range d {
				d[i] = rng.Float64()
			}
			want := append([]float64(nil), s...)
			for i := 0; i < n; i++ {
				want[i*ld+i] += d[i]
			}
			if !Potrf(n, want, ld) {
				t.Fatal("Potrf failed")
			}
			orig := append([]float64(nil), s...)
			u := make([]float64, n*(n+1))
			if !PotrfShifted(n, s, ld, d, u, n+1) {
				t.Fatal("PotrfShifted failed")
			}
			for i := 0; i < n; i++ {
				for j := i; j < n; j++ {
					if math.Abs(u[i*(n+1)+j]-want[i*ld+j]) > 1e-13*(1+math.Abs(want[i*ld+j])) {
						t.Fatalf("n=%d: U[%d][%d] = %v, want %v", n, i, j, u[i*(n+1)+j], want[i*ld+j])
					}
				}
			}
			close(t, "S unchanged", s, orig, 0)
			x := randSlice(rng, n+1)
			y := append([]float64(nil), x...)
			Scal(n, -2.5, y)
			for i := range x {
				w := x[i]
				if i < n {
					w *= -2.5
				}
				if y[i] != w {
					t.Fatalf("Scal n=%d [%d]: %v want %v", n, i, y[i], w)
				}
			}
		}
	})
}

func TestPotrfTol(t *testing.T) {
	bothPaths(t, func(t *testing.T) {
		// A rank-deficient PSD matrix vvᵀ + wwᵀ (n = 6) can factor with tiny
		// pivots; PotrfTol must reject it, and accept a well-conditioned one.
		n := 6
		rng := rand.New(rand.NewPCG(7, 7))
		v, w := randSlice(rng, n), randSlice(rng, n)
		a := make([]float64, n*n)
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				a[i*n+j] = v[i]*v[j] + w[i]*w[j]
			}
		}
		if PotrfTol(n, append([]float64(nil), a...), n, 1e-12) {
			t.Error("PotrfTol accepted a rank-2 matrix")
		}
		if !PotrfTol(n, spd(rng, n, n), n, 1e-12) {
			t.Error("PotrfTol rejected an SPD matrix")
		}
	})
}

type kernelSet struct {
	name string
	set  func() (restore func())
}

// kernelSets lists the kernel sets this CPU can run: portable, AVX2 and,
// where available, AVX-512.
func kernelSets() []kernelSet {
	sets := []kernelSet{{"portable", func() func() {
		prev := SetAccelerated(false)
		return func() { SetAccelerated(prev) }
	}}}
	if haveAccel {
		sets = append(sets, kernelSet{"avx2", func() func() {
			prev := SetAccelerated(true)
			r := set512(false)
			return func() { r(); SetAccelerated(prev) }
		}})
	}
	if have512 {
		sets = append(sets, kernelSet{"avx512", func() func() {
			prev := SetAccelerated(true)
			r := set512(true)
			return func() { r(); SetAccelerated(prev) }
		}})
	}
	return sets
}

// TestTriangularSolves compares SolveUT and SolveU with plain substitution
// on random well-conditioned triangular matrices.
func TestTriangularSolves(t *testing.T) {
	bothPaths(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(4, 5))
		for _, n := range sizes {
			for _, ld := range []int{n, n + 3} {
				u := randSlice(rng, n*ld)
				for i := 0; i < n; i++ {
					u[i*ld+i] = 2 + rng.Float64()
					for j := i + 1; j < n; j++ {
						u[i*ld+j] /= float64(n)
					}
				}
				b := randSlice(rng, n)
				want := append([]float64(nil), b...)
				for k := 0; k < n; k++ { // Uᵀx = b
					for i := 0; i < k; i++ {
						want[k] -= u[i*ld+k] * want[i]
					}
					want[k] /= u[k*ld+k]
				}
				got := append([]float64(nil), b...)
				SolveUT(n, u, ld, got)
				close(t, fmt.Sprintf("SolveUT n=%d ld=%d", n, ld), got, want, 1e-13)
				copy(want, b)
				for k := n - 1; k >= 0; k-- { // Ux = b
					for j := k + 1; j < n; j++ {
						want[k] -= u[k*ld+j] * want[j]
					}
					want[k] /= u[k*ld+k]
				}
				copy(got, b)
				SolveU(n, u, ld, got)
				close(t, fmt.Sprintf("SolveU n=%d ld=%d", n, ld), got, want, 1e-13)
			}
		}
	})
}

// TestOuter2 checks Outer2 against Axpy2 into zero rows and that it
// leaves the padding of each row alone.
func TestOuter2(t *testing.T) {
	bothPaths(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(6, 6))
		for _, n := range sizes {
			rows, ld := 3+n%4, n+2
			ca, cb := randSlice(rng, rows), randSlice(rng, rows)
			x, y := randSlice(rng, n), randSlice(rng, n)
			d := randSlice(rng, rows*ld)
			want := append([]float64(nil), d...)
			for r := 0; r < rows; r++ {
				clear(want[r*ld : r*ld+n])
				Axpy2(n, ca[r], x, cb[r], y, want[r*ld:])
			}
			Outer2(rows, n, ca, x, cb, y, d, ld)
			close(t, fmt.Sprintf("Outer2 n=%d", n), d, want, 1e-15)
		}
	})
}

// TestScan counts nonzeros and finds non-finite elements at every position.
func TestScan(t *testing.T) {
	bothPaths(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(7, 7))
		for _, n := range append([]int{0}, sizes...) {
			x := randSlice(rng, n)
			want := 0
			for i := range x {
				if rng.IntN(3) == 0 {
					x[i] = 0
				} else {
					want++
				}
			}
			if i := n / 2; n > 0 && x[i] == 0 {
				x[i] = math.Copysign(0, -1) // −0 is zero
			}
			if nnz, ok := Scan(x); nnz != want || !ok {
				t.Fatalf("n=%d: Scan = %d, %v; want %d, true", n, nnz, ok, want)
			}
			for i := 0; i < n; i++ {
				for _, bad := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
					y := append([]float64(nil), x...)
					w := want
					if y[i] == 0 {
						w++
					}
					y[i] = bad
					if nnz, ok := Scan(y); ok || nnz != w {
						t.Fatalf("n=%d: %v at %d: Scan = %d, %v; want %d, false", n, bad, i, nnz, ok, w)
					}
				}
			}
		}
	})
}

// TestMaxStep compares MaxStep with the plain minimum over the ratios.
func TestMaxStep(t *testing.T) {
	bothPaths(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(8, 8))
		for _, n := range append([]int{0}, sizes...) {
			x, dx := make([]float64, n), randSlice(rng, n)
			for i := range x {
				x[i] = rng.Float64() * 3
			}
			for _, a := range []float64{1, 1e-3} {
				want := a
				for i := range dx {
					if dx[i] < 0 {
						want = math.Min(want, -x[i]/dx[i])
					}
				}
				if got := MaxStep(x, dx, a); got != want {
					t.Fatalf("n=%d a=%v: MaxStep = %v, want %v", n, a, got, want)
				}
			}
		}
	})
}

// TestGemvBoth compares GemvBoth with Gemv and GemvT.
func TestGemvBoth(t *testing.T) {
	bothPaths(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(9, 9))
		for _, m := range sizes {
			for _, n := range []int{1, 3, 4, 7, 13, 64, 101} {
				lda := n + 2
				a := randSlice(rng, m*lda)
				x, lam := randSlice(rng, n), randSlice(rng, m)
				out, y := randSlice(rng, m), randSlice(rng, n)
				wantOut, wantY := append([]float64(nil), out...), append([]float64(nil), y...)
				Gemv(m, n, 1, a, lda, x, wantOut)
				GemvT(m, n, 1, a, lda, lam, wantY)
				GemvBoth(m, n, a, lda, x, out, lam, y)
				close(t, fmt.Sprintf("GemvBoth out m=%d n=%d", m, n), out, wantOut, 1e-12)
				close(t, fmt.Sprintf("GemvBoth y m=%d n=%d", m, n), y, wantY, 1e-12)
			}
		}
	})
}

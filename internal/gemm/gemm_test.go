package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// refGemm computes alpha·op(A)·op(B) + beta·C with float64 accumulation and
// returns it with a bound on the magnitude of the terms of each element,
// used to scale the tolerance.
func refGemm[T float](transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) (want, mag []float64) {
	want = make([]float64, m*n)
	mag = make([]float64, m*n)
	for i := range m {
		for j := range n {
			var s, sa float64
			for p := range k {
				var av, bv T
				if transA {
					av = a[p*lda+i]
				} else {
					av = a[i*lda+p]
				}
				if transB {
					bv = b[j*ldb+p]
				} else {
					bv = b[p*ldb+j]
				}
				s += float64(av) * float64(bv)
				sa += math.Abs(float64(av) * float64(bv))
			}
			w := float64(alpha) * s
			g := math.Abs(float64(alpha)) * sa
			if beta != 0 {
				w += float64(beta) * float64(c[i*ldc+j])
				g += math.Abs(float64(beta) * float64(c[i*ldc+j]))
			}
			want[i*n+j] = w
			mag[i*n+j] = g
		}
	}
	return want, mag
}

func eps[T float]() float64 {
	var z T
	if _, ok := any(z).(float32); ok {
		return 0x1p-24
	}
	return 0x1p-53
}

func randSlice[T float](r *rand.Rand, n int) []T {
	s := make([]T, n)
	for i := range s {
		s[i] = T(r.Float64()*2 - 1)
	}
	return s
}

type gemmCase struct {
	transA, transB bool
	m, n, k        int
	alpha, beta    float64
	padA, padB     int // extra leading-dimension elements
	padC           int
}

func (tc gemmCase) String() string {
	return fmt.Sprintf("tA=%v tB=%v m=%d n=%d k=%d alpha=%g beta=%g pad=%d,%d,%d",
		tc.transA, tc.transB, tc.m, tc.n, tc.k, tc.alpha, tc.beta, tc.padA, tc.padB, tc.padC)
}

// runCase runs one product through gemm and checks every element of C,
// including that the padding between rows of C is left untouched.
func runCase[T float](t *testing.T, r *rand.Rand, name string, tc gemmCase, gemm func(transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int)) {
	t.Helper()
	ar, ac := tc.m, tc.k
	if tc.transA {
		ar, ac = tc.k, tc.m
	}
	br, bc := tc.k, tc.n
	if tc.transB {
		br, bc = tc.n, tc.k
	}
	lda, ldb, ldc := max(1, ac)+tc.padA, max(1, bc)+tc.padB, max(1, tc.n)+tc.padC
	a := randSlice[T](r, matSpan(ar, ac, lda))
	b := randSlice[T](r, matSpan(br, bc, ldb))
	c := randSlice[T](r, matSpan(tc.m, tc.n, ldc))
	const sentinel = 12345
	for i := range tc.m {
		for j := tc.n; j < ldc && i*ldc+j < len(c); j++ {
			c[i*ldc+j] = sentinel
		}
	}
	if tc.beta == 0 {
		for i := range tc.m {
			for j := range tc.n {
				c[i*ldc+j] = T(math.NaN())
			}
		}
	}
	want, mag := refGemm(tc.transA, tc.transB, tc.m, tc.n, tc.k, T(tc.alpha), a, lda, b, ldb, T(tc.beta), c, ldc)
	gemm(tc.transA, tc.transB, tc.m, tc.n, tc.k, T(tc.alpha), a, lda, b, ldb, T(tc.beta), c, ldc)
	tol := 4 * float64(tc.k+2) * eps[T]()
	bad := 0
	for i := range tc.m {
		for j := range tc.n {
			got := float64(c[i*ldc+j])
			w := want[i*tc.n+j]
			if !(math.Abs(got-w) <= tol*mag[i*tc.n+j]+1e-30) {
				if bad < 5 {
					t.Errorf("%s %v: C[%d,%d] = %g, want %g", name, tc, i, j, got, w)
				}
				bad++
			}
		}
		for j := tc.n; j < ldc && i*ldc+j < len(c); j++ {
			if c[i*ldc+j] != sentinel {
				t.Fatalf("%s %v: padding C[%d,%d] overwritten with %g", name, tc, i, j, c[i*ldc+j])
			}
		}
	}
	if bad > 0 {
		t.Fatalf("%s %v: %d wrong elements", name, tc, bad)
	}
}

var testDims = []int{1, 2, 3, 4, 5, 6, 7, 8, 11, 12, 13, 16, 17, 24, 31, 32, 33, 47, 65}

// testCases returns a deterministic mix of shapes and scalars covering all
// transpose combinations, every small size, primes and edge tiles.
func testCases(r *rand.Rand, random int) []gemmCase {
	var cases []gemmCase
	scalars := [][2]float64{{1, 0}, {1, 1}, {-0.5, 2}, {2.5, 0}, {0, 0.5}, {1, -1}}
	for _, tA := range []bool{false, true} {
		for _, tB := range []bool{false, true} {
			// Every size on each axis with the others fixed.
			for _, d := range testDims {
				cases = append(cases,
					gemmCase{transA: tA, transB: tB, m: d, n: 19, k: 9, alpha: 1, beta: 0},
					gemmCase{transA: tA, transB: tB, m: 14, n: d, k: 10, alpha: 1, beta: 1},
					gemmCase{transA: tA, transB: tB, m: 13, n: 18, k: d, alpha: -0.5, beta: 2})
			}
			for range random {
				s := scalars[r.IntN(len(scalars))]
				tc := gemmCase{
					transA: tA, transB: tB,
					m: testDims[r.IntN(len(testDims))], n: testDims[r.IntN(len(testDims))], k: testDims[r.IntN(len(testDims))],
					alpha: s[0], beta: s[1],
				}
				if r.IntN(3) == 0 {
					tc.padA, tc.padB, tc.padC = r.IntN(40), r.IntN(40), r.IntN(40)
				}
				cases = append(cases, tc)
			}
		}
	}
	return cases
}

// small returns a copy of kn with tiny blocking so that small problems cross
// every mc, kc and nc boundary.
func small[T float](kn *kernel[T]) *kernel[T] {
	return &kernel[T]{name: kn.name + "-small", mr: kn.mr, nr: kn.nr, mc: 2 * kn.mr, kc: 7, nc: 3 * kn.nr, micro: kn.micro, asmPack: kn.asmPack}
}

func testKernels[T float](t *testing.T, kernels []*kernel[T]) {
	if len(kernels) < 2 {
		t.Logf("only the portable kernel runs on this machine")
	}
	for _, kn := range kernels {
		for _, kv := range []*kernel[T]{kn, small(kn)} {
			t.Run(kv.name, func(t *testing.T) {
				r := rand.New(rand.NewPCG(1, 2))
				for _, tc := range testCases(r, 40) {
					for _, workers := range []int{1, 2, 3} {
						runCase(t, r, fmt.Sprintf("%s/w%d", kv.name, workers), tc, func(transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
							kv.gemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, workers)
						})
					}
				}
			})
		}
	}
}

func TestKernels32(t *testing.T) { testKernels(t, kernels32()) }
func TestKernels64(t *testing.T) { testKernels(t, kernels64()) }

// TestAssemblyPresent makes sure the assembly kernels are exercised where
// the CPU supports them, rather than silently testing only the Go kernel.
func TestAssemblyPresent(t *testing.T) {
	t.Logf("float32 kernels: %d, default %s; float64 kernels: %d, default %s",
		len(kernels32()), kernel32.name, len(kernels64()), kernel64.name)
	if kernels32()[0] != goKernel32 || kernels64()[0] != goKernel64 {
		t.Fatal("the portable kernel must always be tested")
	}
}

// TestLarge checks products big enough to be split across goroutines and to
// cross the default block sizes.
func TestLarge(t *testing.T) {
	shapes := [][3]int{{150, 301, 290}, {64, 3136, 20}, {300, 10, 257}, {7, 4200, 3}, {5, 9000, 1}}
	r := rand.New(rand.NewPCG(3, 4))
	for _, s := range shapes {
		for _, tA := range []bool{false, true} {
			for _, tB := range []bool{false, true} {
				tc := gemmCase{transA: tA, transB: tB, m: s[0], n: s[1], k: s[2], alpha: 1.5, beta: 0.5, padA: 3, padB: 5, padC: 1}
				for _, kn := range kernels32() {
					runCase(t, r, kn.name, tc, func(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
						kn.gemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, 2)
					})
				}
				for _, kn := range kernels64() {
					runCase(t, r, kn.name, tc, func(transA, transB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
						kn.gemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, 2)
					})
				}
			}
		}
	}
}

func TestExported(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, tc := range testCases(r, 10) {
		runCase(t, r, "Sgemm", tc, Sgemm)
		runCase(t, r, "Dgemm", tc, Dgemm)
	}
	tc := gemmCase{m: 200, n: 190, k: 180, alpha: 1, beta: 0, padA: 1}
	runCase(t, r, "Sgemm", tc, Sgemm)
	runCase(t, r, "Dgemm", tc, Dgemm)
}

// TestZeroAlphaOrK checks that A and B are not read when alpha or k is zero
// and that beta then only scales C.
func TestZeroAlphaOrK(t *testing.T) {
	nan := float32(math.NaN())
	a := []float32{nan, nan, nan, nan}
	b := []float32{nan, nan, nan, nan}
	c := []float32{1, 2, 3, 4}
	Sgemm(false, false, 2, 2, 2, 0, a, 2, b, 2, 3, c, 2)
	if c[0] != 3 || c[3] != 12 {
		t.Errorf("alpha=0: C = %v, want [3 6 9 12]", c)
	}
	c = []float32{nan, nan, nan, nan}
	Sgemm(false, false, 2, 2, 0, 1, nil, 1, nil, 2, 0, c, 2)
	for _, v := range c {
		if v != 0 {
			t.Fatalf("k=0, beta=0: C = %v, want zeros", c)
		}
	}
	Sgemm(false, false, 0, 0, 5, 1, nil, 5, nil, 1, 0, nil, 1)
}

func TestStrided(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	type shape struct{ batch, m, n, k int }
	for _, s := range []shape{{1, 5, 7, 3}, {6, 9, 10, 11}, {5, 33, 17, 40}, {3, 130, 140, 150}, {7, 1, 1, 1}} {
		for _, tA := range []bool{false, true} {
			for _, tB := range []bool{false, true} {
				for _, bcastB := range []bool{false, true} {
					ar, ac := s.m, s.k
					if tA {
						ar, ac = s.k, s.m
					}
					br, bc := s.k, s.n
					if tB {
						br, bc = s.n, s.k
					}
					lda, ldb, ldc := ac+1, bc, s.n+2
					sa, sb, sc := matSpan(ar, ac, lda)+3, matSpan(br, bc, ldb), matSpan(s.m, s.n, ldc)+1
					if bcastB {
						sb = 0
					}
					a32 := randSlice[float32](r, sa*s.batch)
					b32 := randSlice[float32](r, max(sb*s.batch, matSpan(br, bc, ldb)))
					c32 := randSlice[float32](r, sc*s.batch)
					c0 := append([]float32(nil), c32...)
					SgemmStrided(tA, tB, s.m, s.n, s.k, 0.5, a32, lda, sa, b32, ldb, sb, 2, c32, ldc, sc, s.batch)
					for i := range s.batch {
						want, mag := refGemm(tA, tB, s.m, s.n, s.k, 0.5, a32[i*sa:], lda, b32[i*sb:], ldb, 2, c0[i*sc:], ldc)
						for x := range s.m {
							for y := range s.n {
								got := float64(c32[i*sc+x*ldc+y])
								if math.Abs(got-want[x*s.n+y]) > 4*float64(s.k+2)*0x1p-24*mag[x*s.n+y] {
									t.Fatalf("%+v tA=%v tB=%v bcast=%v: batch %d C[%d,%d] = %g, want %g", s, tA, tB, bcastB, i, x, y, got, want[x*s.n+y])
								}
							}
						}
					}
					// float64, beta = 0 over NaNs.
					a64 := randSlice[float64](r, sa*s.batch)
					b64 := randSlice[float64](r, max(sb*s.batch, matSpan(br, bc, ldb)))
					c64 := make([]float64, sc*s.batch)
					for i := range c64 {
						c64[i] = math.NaN()
					}
					DgemmStrided(tA, tB, s.m, s.n, s.k, 1, a64, lda, sa, b64, ldb, sb, 0, c64, ldc, sc, s.batch)
					for i := range s.batch {
						want, mag := refGemm(tA, tB, s.m, s.n, s.k, 1, a64[i*sa:], lda, b64[i*sb:], ldb, 0, c64[i*sc:], ldc)
						for x := range s.m {
							for y := range s.n {
								got := c64[i*sc+x*ldc+y]
								if !(math.Abs(got-want[x*s.n+y]) <= 4*float64(s.k+2)*0x1p-53*mag[x*s.n+y]) {
									t.Fatalf("%+v tA=%v tB=%v bcast=%v: float64 batch %d C[%d,%d] = %g, want %g", s, tA, tB, bcastB, i, x, y, got, want[x*s.n+y])
								}
							}
						}
					}
				}
			}
		}
	}
}

func TestPanics(t *testing.T) {
	a := make([]float32, 12)
	cases := []struct {
		name string
		f    func()
		want string
	}{
		{"negative m", func() { Sgemm(false, false, -1, 2, 2, 1, a, 2, a, 2, 0, a, 2) }, "negative size"},
		{"small lda", func() { Sgemm(false, false, 2, 2, 3, 1, a, 2, a, 2, 0, a, 2) }, "lda=2"},
		{"small ldb trans", func() { Sgemm(false, true, 2, 2, 3, 1, a, 3, a, 2, 0, a, 2) }, "ldb=2"},
		{"short c", func() { Sgemm(false, false, 3, 4, 2, 1, a, 2, a, 4, 0, a[:11], 4) }, "len(c)=11"},
		{"short a", func() { Sgemm(true, false, 4, 2, 4, 1, a, 4, a, 2, 0, a, 2) }, "len(a)=12"},
		{"overlapping batch", func() { SgemmStrided(false, false, 2, 2, 2, 1, a, 2, 0, a, 2, 0, 0, a, 2, 3, 2) }, "overlap"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				r := recover()
				if r == nil || !strings.Contains(fmt.Sprint(r), tc.want) {
					t.Fatalf("panic %v, want one containing %q", r, tc.want)
				}
			}()
			tc.f()
		})
	}
}

// TestNoAllocs checks that the packing buffers are reused.
func TestNoAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items at random under -race")
	}
	const n = 64
	a, b, c := make([]float32, n*n), make([]float32, n*n), make([]float32, n*n)
	allocs := testing.AllocsPerRun(20, func() {
		kernel32.gemm(false, true, n, n, n, 1, a, n, b, n, 0, c, n, 1)
	})
	if allocs > 0 {
		t.Errorf("serial Sgemm allocates %v times per call", allocs)
	}
}

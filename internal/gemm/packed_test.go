package gemm

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestPackedAMulCols checks MulCols against the reference product for
// every row range split and column widths around the panel width, with B
// supplied by PackB (a matrix) and by PackRow (row by row), overwriting and
// accumulating into C.
func TestPackedAMulCols(t *testing.T) {
	testPackedA(t, kernels32(), PackA32)
	testPackedA(t, kernels64(), PackA64)
}

func testPackedA[T float32 | float64](t *testing.T, ks []*kernel[T], pack func(bool, int, int, []T, int) *PackedA[T]) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, kn := range ks {
		for _, sz := range [][3]int{{1, 1, 1}, {5, 7, 3}, {12, 32, 256}, {13, 33, 257}, {40, 70, 600}, {64, 100, 576}} {
			m, n, k := sz[0], sz[1], sz[2]
			for _, transA := range []bool{false, true} {
				lda := k + 3
				a := randSlice[T](r, m*lda)
				if transA {
					lda = m + 2
					a = randSlice[T](r, k*lda)
				}
				b := randSlice[T](r, k*n)
				p := newPackedA(kn, transA, m, k, a, lda)
				want, mag := refGemm(transA, false, m, n, k, 1, a, lda, b, n, 0, nil, n)
				// Rows in blocks of one or two micro-panels, and all at once.
				for _, rows := range []int{kn.mr, 2 * kn.mr, m} {
					for _, byRow := range []bool{false, true} {
						for _, acc := range []bool{false, true} {
							ldc := n + 1
							c := make([]T, m*ldc)
							if acc {
								for i := range c {
									c[i] = 1
								}
							} else {
								for i := range c {
									c[i] = T(math.NaN())
								}
							}
							buf := make([]T, p.BSize(n))
							fill := func(dst []T, p0, kb int) { p.PackB(dst, b, n, p0, kb, 0, n) }
							if byRow {
								fill = func(dst []T, p0, kb int) {
									for i := range kb {
										p.PackRow(dst, kb, i, b[(p0+i)*n:(p0+i+1)*n])
									}
								}
							}
							for r0 := 0; r0 < m; r0 += rows {
								r1 := min(m, r0+rows)
								p.MulCols(r0, r1, n, fill, buf, c[r0*ldc:], ldc, acc)
							}
							tol := 4 * float64(k+2) * eps[T]()
							for i := range m {
								for j := range n {
									w := want[i*n+j]
									if acc {
										w++
									}
									if got := float64(c[i*ldc+j]); !(math.Abs(got-w) <= tol*(mag[i*n+j]+1)) {
										t.Fatalf("%s %v tA=%v rows=%d byRow=%v acc=%v: C[%d,%d] = %g, want %g", kn.name, sz, transA, rows, byRow, acc, i, j, got, w)
									}
								}
							}
						}
					}
				}
			}
		}
	}
}

// TestGemv covers single-row products large enough to be split across
// goroutines, every transpose combination and scalar.
func TestGemv(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for _, tA := range []bool{false, true} {
		for _, tB := range []bool{false, true} {
			for _, sc := range [][2]float64{{1, 0}, {-0.5, 2}} {
				for _, nk := range [][2]int{{1000, 300}, {77, 33}, {65, 4100}} {
					tc := gemmCase{transA: tA, transB: tB, m: 1, n: nk[0], k: nk[1], alpha: sc[0], beta: sc[1], padA: 3, padB: 1, padC: 2}
					runCase(t, r, "Sgemm", tc, Sgemm)
					runCase(t, r, "Dgemm", tc, Dgemm)
				}
			}
		}
	}
}

// TestMulOffsets checks the in-place right operand against MulCols on the
// same matrix gathered explicitly, for row ranges and widths around the
// tile sizes, overwriting and accumulating.
func TestMulOffsets(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	if !PackA32(false, 1, 1, []float32{1}, 1).CanMulOffsets() {
		t.Skip("no in-place micro-kernel on this machine")
	}
	for _, sz := range [][3]int{{1, 1, 1}, {12, 32, 5}, {13, 33, 300}, {40, 70, 600}, {64, 100, 576}} {
		m, n, k := sz[0], sz[1], sz[2]
		a := randSlice[float32](r, m*k)
		p := PackA32(false, m, k, a, k)
		src := randSlice[float32](r, 5000)
		boff := make([]int32, k)
		for i := range boff {
			boff[i] = int32(r.IntN(5000 - n - 32))
		}
		if k%2 == 0 {
			boff[k-1] = int32(5000 - n) // the last row ends b: its last panel is packed
		}
		bm := make([]float32, k*n) // the matrix the offsets describe
		for q := range k {
			copy(bm[q*n:(q+1)*n], src[boff[q]:])
		}
		want, mag := refGemm(false, false, m, n, k, 1, a, k, bm, n, 0, nil, n)
		for _, rows := range []int{p.MR(), 2 * p.MR(), m} {
			for _, acc := range []bool{false, true} {
				ldc := n + 3
				c := make([]float32, m*ldc)
				for i := range c {
					c[i] = 2
				}
				tile := make([]float32, p.OffsetsScratch())
				for r0 := 0; r0 < m; r0 += rows {
					p.MulOffsets(r0, min(m, r0+rows), n, src, boff, tile, c[r0*ldc:], ldc, acc)
				}
				tol := 4 * float64(k+2) * eps[float32]()
				for i := range m {
					for j := range n {
						w := want[i*n+j]
						if acc {
							w += 2
						}
						if got := float64(c[i*ldc+j]); !(math.Abs(got-w) <= tol*(mag[i*n+j]+2)) {
							t.Fatalf("%v rows=%d acc=%v: C[%d,%d] = %g, want %g", sz, rows, acc, i, j, got, w)
						}
					}
					if c[i*ldc+n] != 2 {
						t.Fatalf("%v: wrote past the row", sz)
					}
				}
			}
		}
	}
}

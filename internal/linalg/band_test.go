package linalg

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestBand checks the band routines against the dense ones on random SPD
// band matrices.
func TestBand(t *testing.T) {
	bothPaths(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(8, 8))
		for _, n := range []int{1, 2, 5, 17, 40} {
			for _, w := range []int{0, 1, 2, 5} {
				ld := w + 1
				dense := make([]float64, n*n)
				band := make([]float64, n*ld)
				for i := 0; i < n; i++ {
					for j := i; j <= min(i+w, n-1); j++ {
						v := rng.NormFloat64()
						if i == j {
							v = float64(2*w+2) + rng.Float64()
						}
						dense[i*n+j], dense[j*n+i] = v, v
						band[i*ld+j-i] = v
					}
				}
				if !Potrf(n, dense, n) || !BandPotrf(n, w, band) {
					t.Fatalf("n=%d w=%d: factorisation failed", n, w)
				}
				for i := 0; i < n; i++ {
					for j := i; j < n; j++ {
						want := dense[i*n+j]
						got := 0.0
						if j-i <= w {
							got = band[i*ld+j-i]
						}
						if math.Abs(got-want) > 1e-12*(1+math.Abs(want)) {
							t.Fatalf("n=%d w=%d: U[%d][%d] band %v dense %v", n, w, i, j, got, want)
						}
					}
				}
				x := randSlice(rng, n)
				xd, xb := append([]float64(nil), x...), append([]float64(nil), x...)
				SolveUT(n, dense, n, xd)
				BandSolveUT(n, w, band, xb)
				close(t, "BandSolveUT", xb, xd, 1e-12)
				SolveU(n, dense, n, xd)
				BandSolveU(n, w, band, xb)
				close(t, "BandSolveU", xb, xd, 1e-12)
				r := 3
				bm := randSlice(rng, n*r)
				bd, bb := append([]float64(nil), bm...), append([]float64(nil), bm...)
				SolveUTMulti(n, r, dense, n, bd, r)
				BandSolveUTMulti(n, w, r, band, bb, r)
				close(t, "BandSolveUTMulti", bb, bd, 1e-12)
			}
		}
		if BandPotrf(2, 1, []float64{1, 2, 1, 0}) {
			t.Error("BandPotrf accepted an indefinite matrix")
		}
	})
}

// TestBandLU solves random band systems, some of which need row
// interchanges (small or zero diagonal entries), and compares with the
// residual of the dense matrix.
func TestBandLU(t *testing.T) {
	bothPaths(t, testBandLU)
}

func testBandLU(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 9))
	for _, n := range []int{1, 2, 3, 7, 30, 61} {
		for _, bw := range [][2]int{{0, 0}, {1, 1}, {2, 1}, {1, 3}, {4, 4}} {
			kl, ku := bw[0], bw[1]
			ld := BandLULd(kl, ku)
			dense := make([]float64, n*n)
			band := make([]float64, n*ld)
			for i := 0; i < n; i++ {
				for j := max(0, i-kl); j <= min(n-1, i+ku); j++ {
					v := rng.NormFloat64()
					if i == j && rng.IntN(3) == 0 {
						v *= 1e-9 // forces a row interchange when a subdiagonal exists
					}
					dense[i*n+j] = v
					band[i*ld+j-i+kl] = v
				}
			}
			ipiv := make([]int, n)
			if !BandLU(n, kl, ku, band, ipiv) {
				if kl == 0 {
					continue // a tiny diagonal is still nonzero; only exact zeros fail
				}
				t.Fatalf("n=%d kl=%d ku=%d: factorisation failed", n, kl, ku)
			}
			want := randSlice(rng, n)
			rhs := make([]float64, n)
			for i := 0; i < n; i++ {
				for j := 0; j < n; j++ {
					rhs[i] += dense[i*n+j] * want[j]
				}
			}
			x := append([]float64(nil), rhs...)
			BandLUSolve(n, kl, ku, band, ipiv, x)
			// Backward error: ‖Ax − b‖ small against ‖A‖‖x‖.
			for i := 0; i < n; i++ {
				r, s := -rhs[i], 0.0
				for j := 0; j < n; j++ {
					r += dense[i*n+j] * x[j]
					s += math.Abs(dense[i*n+j] * x[j])
				}
				if math.Abs(r) > 1e-13*(1+s) {
					t.Fatalf("n=%d kl=%d ku=%d: residual[%d] = %g (scale %g)", n, kl, ku, i, r, s)
				}
			}
		}
	}
	if BandLU(2, 1, 1, make([]float64, 2*BandLULd(1, 1)), make([]int, 2)) {
		t.Error("BandLU accepted a zero matrix")
	}
}

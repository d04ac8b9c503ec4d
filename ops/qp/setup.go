package qp

import (
	"fmt"
	"math"

	"github.com/optnet-go/optnet/internal/linalg"
)

// A setup holds what the Newton systems of one QP share across all
// interior-point iterations (and the backward pass): everything that depends
// on Q, G and A but not on the iterate. Items whose Q, G and A are all
// shared use one setup.
//
// Two reductions of the KKT system are used:
//
//   - dual (constraint space), when Q is positive definite: with Q = UᵀU,
//     P = AQ⁻¹Aᵀ = VᵀV and T = V⁻ᵀAQ⁻¹Gᵀ, the per-iteration matrix is the
//     m×m K = M0 + diag(s/λ) with M0 = GQ⁻¹Gᵀ − TᵀT fixed;
//   - primal (normal equations), when Q is only semidefinite, or when it is
//     cheaper: the per-iteration matrix is the n×n H = Q̃ + Gᵀdiag(λ/s)G with
//     Q̃ = Q + ρAᵀA fixed, and equalities go through the k×k Schur complement
//     AH⁻¹Aᵀ.
type setup struct {
	dual bool
	qs   []float64 // ½(Q+Qᵀ), n×n
	// dual path
	u  []float64 // Cholesky factor of Q (upper), n×n
	w  []float64 // [U⁻ᵀGᵀ U⁻ᵀAᵀ], n×(m+k)
	m0 []float64 // m×m, upper triangle
	v  []float64 // Cholesky factor of AQ⁻¹Aᵀ, k×k
	t  []float64 // k×m
	// primal path
	qt     []float64   // Q + ρAᵀA, n×n, upper triangle
	rho    float64     // weight of AᵀA in qt
	rhoG   float64     // weight of an active row of G in the backward's H
	sparse *rowPattern // nonzero pattern of G's rows, when sparse updates pay
	err    error       // why this setup cannot be used (wraps a sentinel)
}

// rowPattern lists the nonzero columns of each row of G: row r has columns
// cols[start[r]:start[r+1]].
type rowPattern struct {
	start []int
	cols  []int
}

// qbase is the part of a setup that depends on Q alone, computed once when Q
// is shared by the batch.
type qbase struct {
	qs  []float64
	u   []float64 // nil when Q is not positive definite
	err error     // Q not positive semidefinite
}

// pdPivot is the smallest squared Cholesky pivot, relative to Q's largest
// diagonal element, for which Q counts as positive definite.
const pdPivot = 1e-10

// rankPivot is the smallest squared Cholesky pivot, relative to the largest
// diagonal element, for which an equality Schur complement counts as
// nonsingular.
const rankPivot = 1e-13

// forcePath overrides the choice between the dual (1) and primal (2)
// reductions; 0 chooses by cost. Tests set it to compare the two.
var forcePath = 0

func newQBase(n int, q []float64) *qbase {
	b := &qbase{qs: q}
	if !symmetric(n, q) {
		b.qs = make([]float64, n*n)
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				b.qs[i*n+j] = 0.5 * (q[i*n+j] + q[j*n+i])
			}
		}
	}
	scale := 0.0
	for i := 0; i < n; i++ {
		scale = math.Max(scale, math.Abs(b.qs[i*n+i]))
	}
	u := make([]float64, n*n)
	copy(u, b.qs)
	// A singular semidefinite Q can factor with tiny pivots; Q⁻¹ is then
	// meaningless, so such a Q takes the primal path too.
	if linalg.PotrfTol(n, u, n, pdPivot) {
		b.u = u
		return b
	}
	// Not positive definite: it must at least be positive semidefinite, up to
	// rounding. A PSD matrix shifted by a small multiple of its scale factors.
	delta := 1e-9 * math.Max(scale, 1e-300)
	if scale == 0 {
		delta = 1e-300
	}
	copy(u, b.qs)
	for i := 0; i < n; i++ {
		u[i*n+i] += delta
	}
	if !linalg.Potrf(n, u, n) {
		b.err = fmt.Errorf("%w: Q is not positive semidefinite", ErrNotConvex)
	}
	return b
}

func symmetric(n int, q []float64) bool {
	for i := 0; i < n; i++ {
		for j := 0; j < i; j++ {
			if q[i*n+j] != q[j*n+i] {
				return false
			}
		}
	}
	return true
}

// newSetup builds the setup for one item's Q (through base), G and A. w
// provides scratch space.
func newSetup(w *worker, base *qbase, g, a []float64) *setup {
	n, m, k := w.d.n, w.d.m, w.d.k
	st := &setup{qs: base.qs}
	if base.err != nil {
		st.err = base.err
		return st
	}
	// Sparsity of G decides the cost of the primal path's update GᵀDG.
	var sp *rowPattern
	syrkCost := float64(m) * float64(n) * float64(n) / 2
	if m > 0 {
		c := 0.0
		for r := 0; r < m; r++ {
			nz := 0.0
			for _, v := range g[r*n : (r+1)*n] {
				if v != 0 {
					nz++
				}
			}
			c += nz * (nz + 1) / 2
		}
		// Dense updates run several times faster per flop.
		if c*8 < syrkCost {
			syrkCost = c
			sp = patternOf(m, n, g)
		}
	}
	fn, fm, fk := float64(n), float64(m), float64(k)
	costPrimal := fn*fn*fn/3 + syrkCost + fn*fn*fk + fk*fk*fk/3
	costDual := fm * fm * fm / 3
	if base.u != nil && (forcePath == 1 || forcePath == 0 && costDual <= costPrimal) {
		st.dual = true
		st.u = base.u
		st.err = dualSetup(w, st, g, a)
		return st
	}
	st.sparse = sp
	primalSetup(n, m, k, st, g, a)
	return st
}

func patternOf(m, n int, g []float64) *rowPattern {
	p := &rowPattern{start: make([]int, m+1)}
	for r := 0; r < m; r++ {
		for j, v := range g[r*n : (r+1)*n] {
			if v != 0 {
				p.cols = append(p.cols, j)
			}
		}
		p.start[r+1] = len(p.cols)
	}
	return p
}

// dualSetup computes M0, V and T for the constraint-space reduction.
func dualSetup(w *worker, st *setup, g, a []float64) error {
	n, m, k := w.d.n, w.d.m, w.d.k
	u := st.u
	// Wg = U⁻ᵀGᵀ (n×m) and Wa = U⁻ᵀAᵀ (n×k), side by side in one n×(m+k)
	// matrix so that one triangular solve serves both.
	ld := m + k
	wm := make([]float64, n*ld)
	st.w = wm
	for r := 0; r < m; r++ {
		for j := 0; j < n; j++ {
			wm[j*ld+r] = g[r*n+j]
		}
	}
	for r := 0; r < k; r++ {
		for j := 0; j < n; j++ {
			wm[j*ld+m+r] = a[r*n+j]
		}
	}
	linalg.SolveUTMulti(n, ld, u, n, wm, ld)
	if k > 0 {
		st.v = make([]float64, k*k)
		linalg.SyrkTN(k, n, 1, wm[m:], ld, st.v, k)
		if !linalg.PotrfTol(k, st.v, k, rankPivot) {
			return fmt.Errorf("%w: A Q⁻¹ Aᵀ is not positive definite", ErrRankDeficient)
		}
		if m > 0 {
			// T = V⁻ᵀ (WaᵀWg).
			st.t = make([]float64, k*m)
			linalg.GemmTN(k, m, n, 1, wm[m:], ld, wm, ld, st.t, m)
			linalg.SolveUTMulti(k, m, st.v, k, st.t, m)
		}
	}
	if m > 0 {
		st.m0 = make([]float64, m*m)
		linalg.SyrkTN(m, n, 1, wm, ld, st.m0, m)
		if k > 0 {
			linalg.SyrkTN(m, k, -1, st.t, m, st.m0, m)
		}
	}
	return nil
}

// primalSetup computes Q̃ = Q + ρAᵀA. Adding ρAᵀ(Az − b) = 0 to the
// stationarity condition does not change the solution but makes Q̃ + GᵀDG
// positive definite whenever the QP is strictly convex on its feasible set.
func primalSetup(n, m, k int, st *setup, g, a []float64) {
	st.qt = make([]float64, n*n)
	copy(st.qt, st.qs)
	qmax, gmax, amax := 0.0, 0.0, 0.0
	for i := 0; i < n; i++ {
		qmax = math.Max(qmax, math.Abs(st.qs[i*n+i]))
	}
	for r := 0; r < m; r++ {
		gmax = math.Max(gmax, linalg.Dot(n, g[r*n:], g[r*n:]))
	}
	if gmax == 0 {
		gmax = 1
	}
	st.rhoG = (1 + qmax) / gmax
	if k == 0 {
		return
	}
	for r := 0; r < k; r++ {
		amax = math.Max(amax, linalg.Dot(n, a[r*n:], a[r*n:]))
	}
	if amax == 0 {
		amax = 1
	}
	st.rho = (1 + qmax) / amax
	linalg.SyrkTN(n, k, st.rho, a, n, st.qt, n)
}

package qp

import (
	"fmt"
	"math"
	"slices"

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
//     AH⁻¹Aᵀ; when H's pattern reorders into a narrow band, H is handled in
//     band storage (band.go).
type setup struct {
	dual bool
	qs   []float64   // ½(Q+Qᵀ), n×n
	qpat *rowPattern // pattern of qs when sparse
	// dual path
	u  []float64 // Cholesky factor of Q (upper), n×n
	w  []float64 // [U⁻ᵀGᵀ U⁻ᵀAᵀ], n×(m+k)
	m0 []float64 // m×m, upper triangle
	v  []float64 // Cholesky factor of AQ⁻¹Aᵀ, k×k
	t  []float64 // k×m
	// primal path
	qt      []float64   // Q + ρAᵀA, n×n, upper triangle (qs itself when k = 0); read-only
	rho     float64     // weight of AᵀA in qt
	rhoG    float64     // weight of an active row of G in the backward's H
	gpat    *rowPattern // nonzero pattern of G's rows, when G is sparse
	sparseH bool        // form GᵀDG from gpat (primal path)
	band    *bandInfo   // band form of H (primal path), when narrow
	err     error       // why this setup cannot be used (wraps a sentinel)
}

// rowPattern lists the nonzero columns of each row of a sparse matrix (G or
// Q): row r has columns cols[start[r]:start[r+1]].
type rowPattern struct {
	start []int
	cols  []int
}

// sparsePattern returns the nonzero pattern of the r×c matrix a when it is
// sparse enough (under a quarter full) for pattern-driven products to pay,
// and nil otherwise.
func sparsePattern(r, c int, a []float64) *rowPattern {
	return sparsePatternCounted(r, c, a, -1)
}

// sparsePatternCounted is sparsePattern given the number of nonzeros of a
// (−1: count them).
func sparsePatternCounted(r, c int, a []float64, nnz int) *rowPattern {
	if nnz < 0 {
		nnz, _ = linalg.Scan(a[:r*c])
	}
	if nnz >= max(r*c/4, 1) {
		return nil // dense
	}
	p := &rowPattern{start: make([]int, r+1), cols: make([]int, 0, nnz)}
	for i := 0; i < r; i++ {
		row := a[i*c : (i+1)*c]
		j := 0
		for ; j+4 <= len(row); j += 4 {
			// Skip four zeros (of either sign) at once.
			b0, b1 := math.Float64bits(row[j]), math.Float64bits(row[j+1])
			b2, b3 := math.Float64bits(row[j+2]), math.Float64bits(row[j+3])
			if (b0|b1|b2|b3)<<1 == 0 {
				continue
			}
			for t, v := range row[j : j+4] {
				if v != 0 || v != v {
					p.cols = append(p.cols, j+t)
				}
			}
		}
		for ; j < len(row); j++ {
			if v := row[j]; v != 0 || v != v {
				p.cols = append(p.cols, j)
			}
		}
		p.start[i+1] = len(p.cols)
	}
	return p
}

// symmetricPattern reports whether the n×n matrix q with the (nonzero)
// pattern sp is symmetric: q[i][j] = q[j][i] at every nonzero suffices.
func symmetricPattern(n int, q []float64, sp *rowPattern) bool {
	for i := 0; i < n; i++ {
		for _, j := range sp.cols[sp.start[i]:sp.start[i+1]] {
			if q[i*n+j] != q[j*n+i] {
				return false
			}
		}
	}
	return true
}

// gemv computes y += alpha·A·x for the r×c matrix A whose pattern sp is
// (nil: dense).
func (sp *rowPattern) gemv(r, c int, alpha float64, a, x, y []float64) {
	if sp == nil {
		linalg.Gemv(r, c, alpha, a, c, x, y)
		return
	}
	for i := 0; i < r; i++ {
		row := a[i*c : (i+1)*c]
		s := 0.0
		for _, j := range sp.cols[sp.start[i]:sp.start[i+1]] {
			s += row[j] * x[j]
		}
		y[i] += alpha * s
	}
}

// gemvT computes y += alpha·Aᵀ·x for the r×c matrix A whose pattern sp is
// (nil: dense).
func (sp *rowPattern) gemvT(r, c int, alpha float64, a, x, y []float64) {
	if sp == nil {
		linalg.GemvT(r, c, alpha, a, c, x, y)
		return
	}
	for i := 0; i < r; i++ {
		row := a[i*c : (i+1)*c]
		f := alpha * x[i]
		for _, j := range sp.cols[sp.start[i]:sp.start[i+1]] {
			y[j] += f * row[j]
		}
	}
}

// qbase is the part of a setup that depends on Q alone, computed once when Q
// is shared by the batch.
type qbase struct {
	qs   []float64
	qpat *rowPattern // pattern of qs when sparse
	u    []float64   // nil when Q is not positive definite
	err  error       // Q not positive semidefinite
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

// newQBase symmetrises and factors Q. scratch, when not nil and holding n×n
// elements, serves the trial factorisations, so that only a successful one
// allocates: the factor keeps the scratch array and *scratch gets a new one.
// nnz is the number of nonzeros of q when known (−1 otherwise).
func newQBase(n int, q []float64, scratch *[]float64, nnz int) *qbase {
	b := &qbase{qs: q}
	// The pattern first: for a sparse Q, symmetry is checked at its
	// nonzeros only.
	b.qpat = sparsePatternCounted(n, n, q, nnz)
	sym := false
	if b.qpat != nil {
		sym = symmetricPattern(n, q, b.qpat)
	} else {
		sym = symmetric(n, q)
	}
	if !sym {
		b.qs = make([]float64, n*n)
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				b.qs[i*n+j] = 0.5 * (q[i*n+j] + q[j*n+i])
			}
		}
		b.qpat = sparsePattern(n, n, b.qs)
	}
	scale := 0.0
	for i := 0; i < n; i++ {
		scale = math.Max(scale, math.Abs(b.qs[i*n+i]))
	}
	if diagonal(n, b.qpat) {
		// A diagonal Q needs no factorisation to be classified.
		pd := true
		for i := 0; i < n; i++ {
			switch q := b.qs[i*n+i]; {
			case q < -1e-9*scale:
				b.err = fmt.Errorf("%w: Q is not positive semidefinite", ErrNotConvex)
				return b
			case q <= pdPivot*scale:
				pd = false
			}
		}
		if pd {
			b.u = make([]float64, n*n)
			for i := 0; i < n; i++ {
				b.u[i*n+i] = math.Sqrt(b.qs[i*n+i])
			}
		}
		return b
	}
	var u []float64
	if scratch != nil && len(*scratch) >= n*n {
		u = (*scratch)[:n*n]
	} else {
		u = make([]float64, n*n)
		scratch = nil
	}
	copy(u, b.qs)
	// A singular semidefinite Q can factor with tiny pivots; Q⁻¹ is then
	// meaningless, so such a Q takes the primal path too.
	if linalg.PotrfTol(n, u, n, pdPivot) {
		b.u = u
		if scratch != nil {
			*scratch = make([]float64, len(*scratch))
		}
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

// diagonal reports whether the pattern sp (nil: dense) has nonzeros on the
// diagonal only.
func diagonal(n int, sp *rowPattern) bool {
	if sp == nil {
		return n == 1
	}
	for i := 0; i < n; i++ {
		for _, j := range sp.cols[sp.start[i]:sp.start[i+1]] {
			if j != i {
				return false
			}
		}
	}
	return true
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
// provides scratch space; nnzG is the number of nonzeros of g when known
// (−1 otherwise).
func newSetup(w *worker, base *qbase, g, a []float64, nnzG int) *setup {
	n, m, k := w.d.n, w.d.m, w.d.k
	st := &setup{qs: base.qs, qpat: base.qpat}
	if base.err != nil {
		st.err = base.err
		return st
	}
	// Sparsity of G decides the cost of the primal path's update GᵀDG.
	var sp *rowPattern
	syrkCost := float64(m) * float64(n) * float64(n) / 2
	if m > 0 {
		sp = sparsePatternCounted(m, n, g, nnzG)
		if sp != nil {
			// Rank-1 updates over the nonzeros cost Σ nnz_r²/2; dense ones
			// run several times faster per flop.
			c := 0.0
			for r := 0; r < m; r++ {
				nz := float64(sp.start[r+1] - sp.start[r])
				c += nz * (nz + 1) / 2
			}
			if c*8 < syrkCost {
				syrkCost = c
				st.sparseH = true
			}
		}
	}
	st.gpat = sp
	fn, fm, fk := float64(n), float64(m), float64(k)
	costPrimal := fn*fn*fn/3 + syrkCost + fn*fn*fk + fk*fk*fk/3
	costDual := fm * fm * fm / 3
	if base.u != nil && (forcePath == 1 || forcePath == 0 && costDual <= costPrimal) {
		st.dual = true
		st.u = base.u
		st.err = dualSetup(w, st, g, a)
		return st
	}
	primalSetup(n, m, k, st, g, a)
	st.band = newBand(n, m, st.qt, st.gpat)
	return st
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
	// Gᵀ into the first m columns, four rows of G at a time so that each
	// row of wm gets four adjacent elements per visit.
	r := 0
	for ; r+4 <= m; r += 4 {
		g0, g1, g2, g3 := g[r*n:(r+1)*n], g[(r+1)*n:(r+2)*n], g[(r+2)*n:(r+3)*n], g[(r+3)*n:(r+4)*n]
		for j := 0; j < n; j++ {
			dst := wm[j*ld+r : j*ld+r+4]
			dst[0], dst[1], dst[2], dst[3] = g0[j], g1[j], g2[j], g3[j]
		}
	}
	for ; r < m; r++ {
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
	st.qt = st.qs // read-only unless AᵀA is added below
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
	st.qt = slices.Clone(st.qs)
	linalg.SyrkTN(n, k, st.rho, a, n, st.qt, n)
}

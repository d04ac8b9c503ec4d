package qp

import (
	"errors"
	"math"
	"slices"

	"github.com/optnet-go/optnet/internal/linalg"
)

// worker is one goroutine's scratch space, allocated once per call and
// reused for every item and iteration it handles, so that the
// interior-point loop does not allocate.
type worker struct {
	d dims

	kf    []float64 // Cholesky factor of K (m×m) or H (n×n)
	gs    []float64 // m×n, √d-scaled G (primal path)
	y     []float64 // n×c, U⁻ᵀCᵀ (primal path)
	pf    []float64 // c×c, Cholesky factor of the Schur complement (primal path)
	act   []int     // inequalities treated as active (primal path)
	first []int     // per column of Y, its first nonzero row (band path)
	nc    int       // c = k + len(act)
	tau   float64   // threshold of d for active rows
	aug   *augBand  // band LU of the augmented system (backward, band path), when in use

	tn1, tn2 []float64 // n
	rhat, f0 []float64 // U⁻ᵀrx (n) and Wᵀ·rhat (m+k), kept between solves
	tm1, gdz []float64 // m
	tk1      []float64 // k
	tc       []float64 // k+m

	// Interior-point state.
	z, s, lam, nu     []float64
	bz, bs, blam, bnu []float64 // best iterate
	flam, fnu         []float64 // multipliers of the last finite iterate (infeasibility test)
	rx, rz, ry, rzp   []float64
	dg                []float64 // λ/s
	dza, dsa, dla     []float64 // affine direction
	dnua              []float64
	dz, ds, dl, dnu   []float64 // combined direction
}

func newWorker(d dims) *worker {
	n, m, k := d.n, d.m, d.k
	nk := max(n, m)
	w := &worker{d: d, act: make([]int, 0, m), first: make([]int, k+m+m)}
	// All float64 scratch is carved from one allocation: a first pass over
	// the layout sums the sizes, a second hands out the slices.
	var buf []float64
	total := 0
	take := func(size int) []float64 {
		if buf == nil {
			total += size
			return nil
		}
		x := buf[:size:size]
		buf = buf[size:]
		return x
	}
	layout := func() {
		w.rhat, w.f0 = take(n), take(m+k)
		w.gs = take(m * n)
		w.y = take(n * (k + m))
		w.pf = take((k + m) * (k + m))
		w.tn1, w.tn2 = take(n), take(n)
		w.tm1, w.gdz = take(m), take(m)
		w.tk1 = take(k)
		w.tc = take(k + m)
		w.z, w.s, w.lam, w.nu = take(n), take(m), take(m), take(k)
		w.bz, w.bs, w.blam, w.bnu = take(n), take(m), take(m), take(k)
		w.flam, w.fnu = take(m), take(k)
		w.rx, w.rz, w.ry, w.rzp = take(n), take(m), take(k), take(m)
		w.dg = take(m)
		w.dza, w.dsa, w.dla, w.dnua = take(n), take(m), take(m), take(k)
		w.dz, w.ds, w.dl, w.dnu = take(n), take(m), take(m), take(k)
	}
	layout()
	buf = make([]float64, total)
	layout()
	// The factor's array is separate: a successful Cholesky of a batched Q
	// keeps it (newQBase).
	w.kf = make([]float64, nk*nk)
	return w
}

// item is one batch item's view of the problem data.
type item struct {
	p, g, h, a, b []float64
}

var (
	errFactorH = errors.New("reduced Hessian not positive definite")
	errFactorP = errors.New("equality Schur complement not positive definite")
	errFactorK = errors.New("dual system not positive definite")
)

// factor prepares the Newton system of the current iterate, whose diagonal
// block is d = λ/s. On the primal path, inequalities with d > tau are
// treated like equalities (see below); tau = +Inf keeps them all in H.
func (w *worker) factor(st *setup, it *item, d []float64, tau float64) error {
	n, m, k := w.d.n, w.d.m, w.d.k
	if st.dual {
		if m == 0 {
			return nil
		}
		dinv := w.tm1
		for i := 0; i < m; i++ {
			dinv[i] = 1 / d[i]
		}
		if !linalg.PotrfShifted(m, st.m0, m, dinv, w.kf[:m*m], m) {
			return errFactorK
		}
		return nil
	}
	// Primal path. A very large d_r (an active constraint near the solution)
	// would swamp H = Q̃ + GᵀDG and ruin its factorisation in every other
	// direction, so rows with d_r > tau enter H with the moderate weight ρ_g
	// instead and are handled exactly, like the equalities, through the
	// Schur complement of C = [A; G_act]:
	//
	//	Ĥ = Q + ρAᵀA + Σ_inactive d_r g_r g_rᵀ + Σ_active ρ_g g_r g_rᵀ
	//	P = CĤ⁻¹Cᵀ + diag(0, 1/(d_act − ρ_g)).
	w.tau = tau
	w.act = w.act[:0]
	for r := 0; r < m; r++ {
		if d[r] > tau {
			w.act = append(w.act, r)
		}
	}
	weight := func(r int) float64 {
		if d[r] > tau {
			return st.rhoG
		}
		return d[r]
	}
	w.nc = 0
	inUse := false
	if bi := st.band; bi != nil {
		w.formBandH(st, bi, it, weight)
		if k == 0 && len(w.act) > 0 {
			var err error
			if inUse, err = w.factorAug(st, bi, it, d); err != nil {
				return err
			}
		}
		if !inUse && !linalg.BandPotrf(n, bi.w, w.kf[:n*(bi.w+1)]) {
			return errFactorH
		}
	} else if err := w.formDense(st, it, weight); err != nil {
		return err
	}
	if w.aug != nil {
		w.aug.inUse = inUse
		if inUse {
			return nil
		}
	}
	c := k + len(w.act)
	w.nc = c
	if c == 0 {
		return nil
	}
	// Y = U⁻ᵀCᵀ, with Cᵀ's rows in the factor's variable order.
	y := w.y[:n*c]
	var ip []int // variable order of the band factor (nil: natural)
	first := w.first[:c]
	clear(first)
	if st.band != nil && st.gpat != nil {
		ip = st.band.iperm
		clear(y)
		// Sort the active rows by their first variable in band order: then
		// column j of Y is zero above first[j], nondecreasing in j, and
		// P = YᵀY skips those zeros.
		key := w.first[k+m:]
		sp := st.gpat
		for _, r := range w.act {
			f := n
			for _, j := range sp.cols[sp.start[r]:sp.start[r+1]] {
				f = min(f, ip[j])
			}
			key[r] = f
		}
		slices.SortFunc(w.act, func(a, b int) int { return key[a] - key[b] })
		for x, r := range w.act {
			first[k+x] = key[r]
		}
	}
	for r := 0; r < k; r++ {
		for j := 0; j < n; j++ {
			pj := j
			if ip != nil {
				pj = ip[j]
			}
			y[pj*c+r] = it.a[r*n+j]
		}
	}
	for x, r := range w.act {
		g := it.g[r*n : (r+1)*n]
		if sp := st.gpat; ip != nil && sp != nil {
			for _, j := range sp.cols[sp.start[r]:sp.start[r+1]] {
				y[ip[j]*c+k+x] = g[j]
			}
			continue
		}
		for j := 0; j < n; j++ {
			y[j*c+k+x] = g[j]
		}
	}
	if bi := st.band; bi != nil {
		linalg.BandSolveUTMulti(n, bi.w, c, w.kf, y, c)
	} else {
		linalg.SolveUTMulti(n, c, w.kf, n, y, c)
	}
	pf := w.pf[:c*c]
	clear(pf)
	linalg.SyrkTNEnvelope(c, n, first, 1, y, c, pf, c)
	for x, r := range w.act {
		pf[(k+x)*c+k+x] += 1 / (d[r] - st.rhoG)
	}
	if !linalg.PotrfTol(c, pf, c, rankPivot) {
		return errFactorP
	}
	return nil
}

// formDense forms and factors H = Q̃ + Σ weight(r)·g_r g_rᵀ in w.kf (n×n).
func (w *worker) formDense(st *setup, it *item, weight func(int) float64) error {
	n, m := w.d.n, w.d.m
	h := w.kf[:n*n]
	for i := 0; i < n; i++ { // upper triangle only
		copy(h[i*n+i:(i+1)*n], st.qt[i*n+i:(i+1)*n])
	}
	if m > 0 {
		if sp := st.gpat; st.sparseH && sp != nil {
			for r := 0; r < m; r++ {
				cols := sp.cols[sp.start[r]:sp.start[r+1]]
				g := it.g[r*n : (r+1)*n]
				dr := weight(r)
				for x, ca := range cols {
					va := dr * g[ca]
					row := h[ca*n:]
					for _, cb := range cols[x:] {
						row[cb] += va * g[cb]
					}
				}
			}
		} else {
			gs := w.gs[:m*n]
			for r := 0; r < m; r++ {
				sq := math.Sqrt(weight(r))
				src, dst := it.g[r*n:(r+1)*n], gs[r*n:(r+1)*n]
				for j, v := range src {
					dst[j] = sq * v
				}
			}
			linalg.SyrkTN(n, m, 1, gs, n, h, n)
		}
	}
	if !linalg.Potrf(n, h, n) {
		return errFactorH
	}
	return nil
}

// formBandH forms H in band storage, in the band's variable order, in w.kf
// (n×(w+1)).
func (w *worker) formBandH(st *setup, bi *bandInfo, it *item, weight func(int) float64) {
	n, m := w.d.n, w.d.m
	hb := w.kf[:n*(bi.w+1)]
	copy(hb, bi.qt)
	sp := st.gpat
	for r := 0; r < m; r++ {
		cols := sp.cols[sp.start[r]:sp.start[r+1]]
		g := it.g[r*n : (r+1)*n]
		dr := weight(r)
		for x, ca := range cols {
			va := dr * g[ca]
			pa := bi.iperm[ca]
			for _, cb := range cols[x:] {
				hb[bi.at(pa, bi.iperm[cb])] += va * g[cb]
			}
		}
	}
}

// solveNewton solves the Newton system of the last factor call,
//
//	Q dz + Gᵀdλ + Aᵀdν = −rx
//	G dz − D⁻¹dλ       = −rzp
//	A dz               = −ry
//
// and leaves G·dz in w.gdz. rxSame says that rx is the one of the previous
// call (the corrector after the predictor), whose reductions are reused.
// With lamOnly (the predictor, which needs only dλ and G·dz) the dual path
// leaves dz and dν alone.
func (w *worker) solveNewton(st *setup, it *item, d, rx, rzp, ry, dz, dl, dnu []float64, rxSame, lamOnly bool) {
	n, m, k := w.d.n, w.d.m, w.d.k
	if st.dual {
		// With W = [U⁻ᵀGᵀ U⁻ᵀAᵀ] and r̂ = U⁻ᵀrx:
		//   fλ = rzp − Wgᵀr̂,  fν = V⁻ᵀ(ry − Waᵀr̂),
		//   (M0 + D⁻¹) dλ = fλ − Tᵀfν,  dν = V⁻¹(fν − T dλ),
		//   dz = −U⁻¹(r̂ + Wg dλ + Wa dν).
		ld := m + k
		if !rxSame {
			copy(w.rhat, rx)
			linalg.SolveUT(n, st.u, n, w.rhat)
			clear(w.f0)
			linalg.GemvT(n, ld, 1, st.w, ld, w.rhat, w.f0)
		}
		for i := 0; i < m; i++ {
			dl[i] = rzp[i] - w.f0[i]
		}
		if k > 0 {
			f := w.tk1
			for i := 0; i < k; i++ {
				f[i] = ry[i] - w.f0[m+i]
			}
			linalg.SolveUT(k, st.v, k, f)
			if m > 0 {
				linalg.GemvT(k, m, -1, st.t, m, f, dl)
				linalg.SolveChol(m, w.kf, m, dl)
			}
			if lamOnly {
				w.gdzFromDl(d, rzp, dl)
				return
			}
			copy(dnu, f)
			if m > 0 {
				linalg.Gemv(k, m, -1, st.t, m, dl, dnu)
			}
			linalg.SolveU(k, st.v, k, dnu)
		} else if m > 0 {
			linalg.SolveChol(m, w.kf, m, dl)
		}
		if m > 0 {
			w.gdzFromDl(d, rzp, dl)
		}
		if lamOnly {
			return
		}
		y := w.tc[:ld]
		copy(y, dl)
		copy(y[m:], dnu)
		r := w.tn1
		copy(r, w.rhat)
		linalg.Gemv(n, ld, 1, st.w, ld, y, r)
		linalg.SolveU(n, st.u, n, r)
		for i, v := range r {
			dz[i] = -v
		}
		return
	}
	// Primal path; see factor.
	r := w.tn1
	for i, v := range rx {
		r[i] = -v
	}
	if m > 0 {
		t := w.tm1
		for i := range t {
			if d[i] > w.tau {
				t[i] = st.rhoG * rzp[i]
			} else {
				t[i] = d[i] * rzp[i]
			}
		}
		st.gpat.gemvT(m, n, -1, it.g, t, r)
	}
	if k > 0 {
		linalg.GemvT(k, n, -st.rho, it.a, n, ry, r)
	}
	yv := w.tc
	if a := w.aug; a != nil && a.inUse {
		a.solve(st.band, w.act, r, rzp, dz, yv)
	} else {
		w.solveReduced(st, r, rzp, ry, dz, yv)
	}
	copy(dnu, yv[:k])
	if m > 0 {
		clear(w.gdz)
		st.gpat.gemv(m, n, 1, it.g, dz, w.gdz)
		for i := range dl {
			dl[i] = d[i] * (w.gdz[i] + rzp[i])
		}
		for x, a := range w.act {
			dl[a] = yv[k+x] / (1 - st.rhoG/d[a])
		}
	}
}

// gdzFromDl sets w.gdz = G·dz from the second block row of the Newton
// system, G dz = D⁻¹dλ − rzp, instead of a product with G.
func (w *worker) gdzFromDl(d, rzp, dl []float64) {
	gdz := w.gdz
	for i, v := range dl {
		gdz[i] = v/d[i] - rzp[i]
	}
}

// solveReduced solves the primal path's system for dz and the multipliers
// yv of C = [A; G_act] with the factor of Ĥ and the Schur complement:
// Ĥ dz + Cᵀyv = r, C dz − E yv = −[ry; rzp_act].
func (w *worker) solveReduced(st *setup, r, rzp, ry, dz, yv []float64) {
	n, k := w.d.n, w.d.k
	// In the band case the triangular solves run in the band's variable
	// order: permute r in, and dz back out.
	bi := st.band
	x := r
	if bi != nil {
		x = w.tn2
		for i, old := range bi.perm {
			x[i] = r[old]
		}
		linalg.BandSolveUT(n, bi.w, w.kf, x)
	} else {
		linalg.SolveUT(n, w.kf, n, x)
	}
	c := w.nc
	if c > 0 {
		copy(yv, ry)
		for j, a := range w.act {
			yv[k+j] = rzp[a]
		}
		linalg.GemvT(n, c, 1, w.y, c, x, yv[:c])
		linalg.SolveChol(c, w.pf, c, yv[:c])
		linalg.Gemv(n, c, -1, w.y, c, yv[:c], x)
	}
	if bi != nil {
		linalg.BandSolveU(n, bi.w, w.kf, x)
		for i, old := range bi.perm {
			dz[old] = x[i]
		}
	} else {
		linalg.SolveU(n, w.kf, n, x)
		copy(dz, x)
	}
}

package qp

import (
	"sync/atomic"

	"github.com/optnet-go/optnet/internal/linalg"
)

// augBand is the backward's alternative to the dense Schur complement on
// the band path (no equalities). The system with the active rows C = G_act
// kept apart,
//
//	[Ĥ  Cᵀ] [dz]   [r       ]
//	[C  −E] [yv] = [−rzp_act],   E = diag(1/(d_act − ρ_g)),
//
// is itself a band matrix once each active row is numbered right after the
// last of its variables in the band order (total variation: half bandwidth
// 2 → 4). It is factored by band LU with row pivoting, at O((n+c)·b²)
// instead of the O(c²·n) of forming CĤ⁻¹Cᵀ; the pivoting keeps the
// elimination stable although E is tiny (an active row's pivot is never
// taken before its variables' columns are reduced unless it is the largest
// candidate). Both methods solve the same system.
type augBand struct {
	inUse  bool
	size   int // n + c
	b      int // half bandwidth of the augmented matrix
	lu     []float64
	piv    []int
	vpos   []int     // augmented index of the variable at band position p
	cpos   []int     // augmented index of active row x (in w.act order)
	x      []float64 // right-hand side and solution, augmented order
	key    []int     // per row of G: band position of its last variable
	count  []int     // counting sort of the active rows by key
	sorted []int
}

// grow returns x resized to n elements, reallocating only when needed.
func grow[T any](x []T, n int) []T {
	if cap(x) < n {
		return make([]T, n)
	}
	return x[:n]
}

// factorAug forms and factors the augmented system for the active rows in
// w.act (sorting them by their last variable), with Ĥ in band storage in
// w.kf. It reports false, leaving the Schur complement to the caller, when
// the augmented band would not be narrow enough to pay.
func (w *worker) factorAug(st *setup, bi *bandInfo, it *item, d []float64) (bool, error) {
	n, m := w.d.n, w.d.m
	a := w.aug
	if a == nil {
		a = &augBand{}
		w.aug = a
	}
	a.inUse = false
	c := len(w.act)
	size := n + c
	sp := st.gpat
	a.key = grow(a.key, m)
	for _, r := range w.act {
		last := -1
		for _, j := range sp.cols[sp.start[r]:sp.start[r+1]] {
			last = max(last, bi.iperm[j])
		}
		a.key[r] = last
	}
	// Order the active rows by key, then by row (w.act is in row order):
	// a counting sort over the keys −1..n−1.
	key := a.key
	a.count = grow(a.count, n+2)
	count := a.count
	clear(count)
	for _, r := range w.act {
		count[key[r]+2]++
	}
	for p := 2; p < len(count); p++ {
		count[p] += count[p-1]
	}
	a.sorted = grow(a.sorted, c)
	for _, r := range w.act {
		a.sorted[count[key[r]+1]] = r
		count[key[r]+1]++
	}
	copy(w.act, a.sorted)
	// Numbering: rows without a nonzero first, then each variable followed
	// by the rows whose last variable it is.
	a.vpos, a.cpos = grow(a.vpos, n), grow(a.cpos, m)
	idx, x := 0, 0
	for ; x < c && key[w.act[x]] < 0; x++ {
		a.cpos[x] = idx
		idx++
	}
	for p := 0; p < n; p++ {
		a.vpos[p] = idx
		idx++
		for ; x < c && key[w.act[x]] == p; x++ {
			a.cpos[x] = idx
			idx++
		}
	}
	// Half bandwidth of the augmented matrix.
	hb, ldh := w.kf, bi.w+1
	b := 0
	for p := 0; p < n; p++ {
		for t := 1; t <= min(bi.w, n-1-p); t++ {
			if hb[p*ldh+t] != 0 {
				b = max(b, a.vpos[p+t]-a.vpos[p])
			}
		}
	}
	for x, r := range w.act {
		for _, j := range sp.cols[sp.start[r]:sp.start[r+1]] {
			b = max(b, a.cpos[x]-a.vpos[bi.iperm[j]])
		}
	}
	fs, fc, fn, fb := float64(size), float64(c), float64(n), float64(b)
	if noAug || 3*fs*fb*fb > fc*fc*fn/2+fc*fc*fc/6 {
		return false, nil
	}
	ld := linalg.BandLULd(b, b)
	a.size, a.b = size, b
	a.lu = grow(a.lu, size*ld)
	clear(a.lu)
	a.piv = grow(a.piv, size)
	a.x = grow(a.x, size)
	lu := a.lu
	set := func(i, j int, v float64) { lu[i*ld+j-i+b] = v }
	for p := 0; p < n; p++ {
		vp := a.vpos[p]
		set(vp, vp, hb[p*ldh])
		for t := 1; t <= min(bi.w, n-1-p); t++ {
			if v := hb[p*ldh+t]; v != 0 {
				vq := a.vpos[p+t]
				set(vp, vq, v)
				set(vq, vp, v)
			}
		}
	}
	for x, r := range w.act {
		cx := a.cpos[x]
		g := it.g[r*n : (r+1)*n]
		for _, j := range sp.cols[sp.start[r]:sp.start[r+1]] {
			vj := a.vpos[bi.iperm[j]]
			set(cx, vj, g[j])
			set(vj, cx, g[j])
		}
		set(cx, cx, -1/(d[r]-st.rhoG))
	}
	if !linalg.BandLU(size, b, b, lu, a.piv) {
		return true, errFactorP
	}
	a.inUse = true
	augCount.Add(1)
	return true, nil
}

// augCount counts the factorisations of augmented systems (for tests).
var augCount atomic.Int64

// solve solves the augmented system for the right-hand side (r, −rzp_act)
// (r in the natural variable order), putting dz and the active rows'
// multipliers yv (in act order) in place.
func (a *augBand) solve(bi *bandInfo, act []int, r, rzp, dz, yv []float64) {
	x := a.x[:a.size]
	for p, old := range bi.perm {
		x[a.vpos[p]] = r[old]
	}
	for i, row := range act {
		x[a.cpos[i]] = -rzp[row]
	}
	linalg.BandLUSolve(a.size, a.b, a.b, a.lu, a.piv, x)
	for p, old := range bi.perm {
		dz[old] = x[a.vpos[p]]
	}
	for i := range act {
		yv[i] = x[a.cpos[i]]
	}
}

package qp

import (
	"context"
	"fmt"
	"math"

	"github.com/optnet-go/optnet/internal/linalg"
)

// residuals computes rx = Qz + p + Gᵀλ + Aᵀν, rz = Gz + s − h, ry = Az − b
// for the current iterate and returns the score ‖rx‖₂ + ‖rz‖₂ + ‖ry‖₂ + sᵀλ.
func (w *worker) residuals(st *setup, it *item) float64 {
	n, m, k := w.d.n, w.d.m, w.d.k
	copy(w.rx, it.p)
	st.qpat.gemv(n, n, 1, st.qs, w.z, w.rx)
	if m > 0 {
		for i := range w.rz {
			w.rz[i] = w.s[i] - it.h[i]
		}
		if st.gpat == nil {
			// Gz and Gᵀλ in one pass over G.
			linalg.GemvBoth(m, n, it.g, n, w.z, w.rz, w.lam, w.rx)
		} else {
			st.gpat.gemvT(m, n, 1, it.g, w.lam, w.rx)
			st.gpat.gemv(m, n, 1, it.g, w.z, w.rz)
		}
	}
	if k > 0 {
		linalg.GemvT(k, n, 1, it.a, n, w.nu, w.rx)
		for i := range w.ry {
			w.ry[i] = -it.b[i]
		}
		linalg.Gemv(k, n, 1, it.a, n, w.z, w.ry)
	}
	score := math.Sqrt(linalg.Dot(n, w.rx, w.rx))
	if m > 0 {
		score += math.Sqrt(linalg.Dot(m, w.rz, w.rz)) + linalg.Dot(m, w.s, w.lam)
	}
	if k > 0 {
		score += math.Sqrt(linalg.Dot(k, w.ry, w.ry))
	}
	return score
}

// maxStep returns the largest α ≤ 1 with x + α·dx ≥ 0 and y + α·dy ≥ 0.
func maxStep(x, dx, y, dy []float64) float64 {
	return linalg.MaxStep(y, dy, linalg.MaxStep(x, dx, 1))
}

// ipm runs the interior-point method on one item and leaves the best
// iterate in w.bz, w.bs, w.blam, w.bnu. It returns the number of steps
// taken and, on failure, the reason.
func (w *worker) ipm(done <-chan struct{}, st *setup, it *item, opt Options) (int, error) {
	n, m, k := w.d.n, w.d.m, w.d.k

	// Starting point: the solution of the Newton system with s = λ = 1 from
	// the origin, i.e. the minimiser of ½zᵀQz + pᵀz + ½‖s‖² subject to
	// Gz + s = h, Az = b, with s and λ = −s then shifted into the interior.
	for i := range w.dg {
		w.dg[i] = 1
	}
	if err := w.factor(st, it, w.dg, math.Inf(1)); err != nil {
		return 0, setupFailure(err)
	}
	copy(w.rx, it.p)
	for i := range w.rzp {
		w.rzp[i] = -it.h[i]
	}
	for i := range w.ry {
		w.ry[i] = -it.b[i]
	}
	w.solveNewton(st, it, w.dg, w.rx, w.rzp, w.ry, w.z, w.lam, w.nu, false, false)
	if m > 0 {
		for i := range w.s {
			w.s[i] = it.h[i] - w.gdz[i]
		}
		shiftPositive(w.s)
		shiftPositive(w.lam)
	}

	copy(w.flam, w.lam)
	copy(w.fnu, w.nu)
	best := math.Inf(1)
	notImproved := 0
	steps := 0
	var stopErr error
	for ; ; steps++ {
		select {
		case <-done:
			return steps, context.Canceled
		default:
		}
		score := w.residuals(st, it)
		if score < best {
			best = score
			notImproved = 0
			copy(w.bz, w.z)
			copy(w.bs, w.s)
			copy(w.blam, w.lam)
			copy(w.bnu, w.nu)
		} else {
			notImproved++
		}
		if !(score >= opt.Eps) || steps == opt.MaxIter {
			break
		}
		if notImproved >= opt.NotImprovedLimit {
			// Stalled. Stop if the best iterate is good enough; otherwise the
			// stall is the non-monotone early phase of an infeasible start
			// (complementarity can grow while feasibility is gained): go on,
			// up to MaxIter.
			w.swapBest()
			ok := w.acceptable(st, it, opt.AcceptTol)
			w.swapBest()
			if ok {
				break
			}
			notImproved = 0
			w.residuals(st, it)
		}
		for i := range w.dg {
			w.dg[i] = w.lam[i] / w.s[i]
		}
		if err := w.factor(st, it, w.dg, math.Inf(1)); err != nil {
			stopErr = err
			break
		}
		if m == 0 {
			// A linear system: Newton converges in one step; later steps refine.
			w.solveNewton(st, it, w.dg, w.rx, w.rzp, w.ry, w.dz, w.dl, w.dnu, false, false)
			linalg.Axpy(n, 1, w.dz, w.z)
			linalg.Axpy(k, 1, w.dnu, w.nu)
			continue
		}
		// Predictor (affine scaling): complementarity target 0.
		for i := range w.rzp {
			w.rzp[i] = w.rz[i] - w.s[i]
		}
		w.solveNewton(st, it, w.dg, w.rx, w.rzp, w.ry, w.dza, w.dla, w.dnua, false, true)
		for i := range w.dsa {
			w.dsa[i] = -w.rz[i] - w.gdz[i]
		}
		aa := maxStep(w.s, w.dsa, w.lam, w.dla)
		mu := linalg.Dot(m, w.s, w.lam) / float64(m)
		muAff := 0.0
		for i := range w.s {
			muAff += (w.s[i] + aa*w.dsa[i]) * (w.lam[i] + aa*w.dla[i])
		}
		muAff /= float64(m)
		sigma := muAff / mu
		sigma = math.Min(1, sigma*sigma*sigma)
		// Corrector: s∘λ + dsₐ∘dλₐ = σμ.
		for i := range w.rzp {
			rs := w.s[i]*w.lam[i] + w.dsa[i]*w.dla[i] - sigma*mu
			w.rzp[i] = w.rz[i] - rs/w.lam[i]
		}
		w.solveNewton(st, it, w.dg, w.rx, w.rzp, w.ry, w.dz, w.dl, w.dnu, true, false)
		for i := range w.ds {
			w.ds[i] = -w.rz[i] - w.gdz[i]
		}
		alpha := math.Min(1, 0.99*maxStep(w.s, w.ds, w.lam, w.dl))
		linalg.Axpy(n, alpha, w.dz, w.z)
		linalg.Axpy(m, alpha, w.ds, w.s)
		linalg.Axpy(m, alpha, w.dl, w.lam)
		linalg.Axpy(k, alpha, w.dnu, w.nu)
		if !finiteAll(w.s) || !finiteAll(w.lam) || !finiteAll(w.z) || !finiteAll(w.nu) {
			break
		}
		// On an infeasible problem the multipliers grow until the step
		// overflows; the certificate is read from the last finite ones.
		copy(w.flam, w.lam)
		copy(w.fnu, w.nu)
	}
	// Judge the best iterate; the last finite multipliers serve the
	// infeasibility test.
	copy(w.dla, w.flam)
	copy(w.dnua, w.fnu)
	copy(w.z, w.bz)
	copy(w.s, w.bs)
	copy(w.lam, w.blam)
	copy(w.nu, w.bnu)
	if w.acceptable(st, it, opt.AcceptTol) {
		return steps, nil
	}
	// Failed: is the last iterate an (approximate) infeasibility certificate?
	if m > 0 && w.infeasible(st, it) {
		return steps, fmt.Errorf("%w (Farkas certificate found after %d iterations)", ErrInfeasible, steps)
	}
	if stopErr != nil {
		return steps, fmt.Errorf("%w: best residual score %.3g after %d iterations (stopped: %v)", ErrNotConverged, best, steps, stopErr)
	}
	return steps, fmt.Errorf("%w: best residual score %.3g after %d iterations", ErrNotConverged, best, steps)
}

// setupFailure turns a factorisation failure at the starting point into the
// reason reported to the caller.
func setupFailure(err error) error {
	switch err {
	case errFactorH:
		return fmt.Errorf("%w: Q + GᵀG + ρAᵀA is singular, so the objective is not strictly convex on the constraints", ErrNotConvex)
	case errFactorP:
		return fmt.Errorf("%w: A H⁻¹ Aᵀ is not positive definite", ErrRankDeficient)
	default:
		return fmt.Errorf("%w: %v at the starting point", ErrNotConverged, err)
	}
}

// shiftPositive moves x into the positive orthant: if min(x) ≤ 0 it adds
// 1 − min(x) to every element.
func shiftPositive(x []float64) {
	lo := math.Inf(1)
	for _, v := range x {
		lo = math.Min(lo, v)
	}
	if lo <= 0 {
		for i := range x {
			x[i] += 1 - lo
		}
	}
}

func finiteAll(x []float64) bool {
	for _, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	return true
}

func maxAbs(x []float64) float64 {
	r := 0.0
	for _, v := range x {
		r = math.Max(r, math.Abs(v))
	}
	return r
}

// swapBest exchanges the current and the best iterate.
func (w *worker) swapBest() {
	w.z, w.bz = w.bz, w.z
	w.s, w.bs = w.bs, w.s
	w.lam, w.blam = w.blam, w.lam
	w.nu, w.bnu = w.bnu, w.nu
}

// acceptable checks the optimality conditions at the current iterate
// (overwriting the residuals), each relative to the size of the terms it
// balances:
//
//	‖Qz + p + Gᵀλ + Aᵀν‖∞ ≤ tol·(1 + max(‖Qz‖∞, ‖p‖∞, ‖Gᵀλ‖∞, ‖Aᵀν‖∞))
//	‖Gz + s − h‖∞         ≤ tol·(1 + max(‖Gz‖∞, ‖h‖∞))
//	‖Az − b‖∞             ≤ tol·(1 + max(‖Az‖∞, ‖b‖∞))
//	sᵀλ                   ≤ tol·(1 + |½zᵀQz + pᵀz|)
func (w *worker) acceptable(st *setup, it *item, tol float64) bool {
	n, m, k := w.d.n, w.d.m, w.d.k
	w.residuals(st, it)
	if !finiteAll(w.rx) || !finiteAll(w.rz) || !finiteAll(w.ry) {
		return false
	}
	t := w.tn2
	clear(t)
	st.qpat.gemv(n, n, 1, st.qs, w.z, t)
	obj := 0.5*linalg.Dot(n, t, w.z) + linalg.Dot(n, it.p, w.z)
	scale := math.Max(maxAbs(t), maxAbs(it.p))
	if m > 0 {
		clear(t)
		st.gpat.gemvT(m, n, 1, it.g, w.lam, t)
		scale = math.Max(scale, maxAbs(t))
	}
	if k > 0 {
		clear(t)
		linalg.GemvT(k, n, 1, it.a, n, w.nu, t)
		scale = math.Max(scale, maxAbs(t))
	}
	if maxAbs(w.rx) > tol*(1+scale) {
		return false
	}
	if m > 0 {
		gz := w.tm1
		clear(gz)
		st.gpat.gemv(m, n, 1, it.g, w.z, gz)
		if maxAbs(w.rz) > tol*(1+math.Max(maxAbs(gz), maxAbs(it.h))) {
			return false
		}
		if linalg.Dot(m, w.s, w.lam) > tol*(1+math.Abs(obj)) {
			return false
		}
	}
	if k > 0 {
		az := w.tk1
		clear(az)
		linalg.Gemv(k, n, 1, it.a, n, w.z, az)
		if maxAbs(w.ry) > tol*(1+math.Max(maxAbs(az), maxAbs(it.b))) {
			return false
		}
	}
	return true
}

// infeasible reports whether the last iterate's multipliers (kept in w.dla
// and w.dnua) approximately
// certify infeasibility (Farkas): λ ≥ 0 with Gᵀλ + Aᵀν ≈ 0 and
// hᵀλ + bᵀν < 0.
func (w *worker) infeasible(st *setup, it *item) bool {
	n, m, k := w.d.n, w.d.m, w.d.k
	lam, nu := w.dla, w.dnua
	norm := 0.0
	for _, v := range lam {
		norm += math.Abs(v)
	}
	for _, v := range nu {
		norm += math.Abs(v)
	}
	if !(norm > 0) || math.IsInf(norm, 0) {
		return false
	}
	t := w.tn2
	clear(t)
	st.gpat.gemvT(m, n, 1/norm, it.g, lam, t)
	gmax := maxAbs(it.g)
	if k > 0 {
		linalg.GemvT(k, n, 1/norm, it.a, n, nu, t)
		gmax = math.Max(gmax, maxAbs(it.a))
	}
	gap := (linalg.Dot(m, it.h, lam) + linalg.Dot(k, it.b, nu)) / norm
	// The certificate must be clear: the violation of Gᵀλ + Aᵀν = 0 must be
	// small against the data and against the (negative) gap.
	return gap < 0 && maxAbs(t) <= 1e-3*math.Max(gmax, 1e-300) && maxAbs(t)*(1+maxAbs(w.bz)) < -gap
}

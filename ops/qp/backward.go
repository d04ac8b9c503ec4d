package qp

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

func backward(ctx context.Context, sol *Solution, dzAll []float64) (*Grads, error) {
	if sol == nil || sol.Problem == nil {
		return nil, errors.New("qp: Backward needs a Solution returned by Solve")
	}
	f, ok := sol.Factors.(*factors)
	if !ok {
		return nil, errors.New("qp: Backward: Solution was not produced by the CPU solver")
	}
	d := f.d
	n, m, k, nb := d.n, d.m, d.k, d.batch
	if len(dzAll) != nb*n {
		return nil, fmt.Errorf("%w: dz has %d elements, want %d (B=%d, n=%d)", ErrShape, len(dzAll), nb*n, nb, n)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	p := sol.Problem
	shared := func(in Input) bool { return p.Shared&in != 0 }
	size := func(in Input, s int) int {
		if shared(in) {
			return s
		}
		return nb * s
	}
	g := &Grads{
		Q: make([]float64, size(InputQ, n*n)),
		P: make([]float64, size(InputP, n)),
	}
	if m > 0 {
		g.G = make([]float64, size(InputG, m*n))
		g.H = make([]float64, size(InputH, m))
	}
	if k > 0 {
		g.A = make([]float64, size(InputA, k*n))
		g.B = make([]float64, size(InputB, k))
	}

	// Items are split into contiguous ranges, one per goroutine; each
	// goroutine sums shared gradients privately and the partial sums are
	// added in range order, so results do not depend on scheduling.
	workers := max(1, min(f.opt.Workers, nb))
	partial := make([]*Grads, workers)
	var wg sync.WaitGroup
	done := ctx.Done()
	for wi := range workers {
		lo, hi := wi*nb/workers, (wi+1)*nb/workers
		wg.Go(func() {
			w := newWorker(d)
			acc := &Grads{}
			if shared(InputQ) {
				acc.Q = make([]float64, n*n)
			}
			if shared(InputP) {
				acc.P = make([]float64, n)
			}
			if g.G != nil && shared(InputG) {
				acc.G = make([]float64, m*n)
			}
			if g.H != nil && shared(InputH) {
				acc.H = make([]float64, m)
			}
			if g.A != nil && shared(InputA) {
				acc.A = make([]float64, k*n)
			}
			if g.B != nil && shared(InputB) {
				acc.B = make([]float64, k)
			}
			partial[wi] = acc
			for i := lo; i < hi; i++ {
				select {
				case <-done:
					return
				default:
				}
				w.backwardItem(sol, f, i, dzAll[i*n:(i+1)*n], g, acc)
			}
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for _, acc := range partial {
		addTo(g.Q, acc.Q)
		addTo(g.P, acc.P)
		addTo(g.G, acc.G)
		addTo(g.H, acc.H)
		addTo(g.A, acc.A)
		addTo(g.B, acc.B)
	}
	return g, nil
}

// activeRatio sets the threshold of λ/s above which the backward pass
// treats an inequality as active on the primal path.
const activeRatio = 100

func addTo(dst, src []float64) {
	for i, v := range src {
		dst[i] += v
	}
}

// backwardItem differentiates item i. With w = Λd_λ, the adjoint KKT system
// is the Newton system with rx = ∂ℓ/∂z, rz' = 0, ry = 0:
//
//	Q d_z + Gᵀw + Aᵀd_ν = −∂ℓ/∂z,  G d_z − D⁻¹w = 0,  A d_z = 0,
//
// and the gradients are dp = d_z, dh = −w, db = −d_ν,
// dQ = ½(d_z zᵀ + z d_zᵀ), dG = w zᵀ + λ d_zᵀ, dA = d_ν zᵀ + ν d_zᵀ.
// Batched gradients are written into g, shared ones summed into acc.
func (w *worker) backwardItem(sol *Solution, f *factors, i int, dl []float64, g, acc *Grads) {
	d := f.d
	n, m, k := d.n, d.m, d.k
	p := sol.Problem
	pick := func(all, sum []float64, size int) []float64 {
		if sum != nil {
			return sum
		}
		return all[i*size : (i+1)*size]
	}
	gq := pick(g.Q, acc.Q, n*n)
	gp := pick(g.P, acc.P, n)
	var gg, gh, ga, gb []float64
	if g.G != nil {
		gg, gh = pick(g.G, acc.G, m*n), pick(g.H, acc.H, m)
	}
	if g.A != nil {
		ga, gb = pick(g.A, acc.A, k*n), pick(g.B, acc.B, k)
	}
	if sol.Status[i] != nil {
		// Failed item: NaN rows for its own gradients; it adds nothing to
		// the shared sums.
		for _, x := range []struct {
			v  []float64
			in Input
		}{{gq, InputQ}, {gp, InputP}, {gg, InputG}, {gh, InputH}, {ga, InputA}, {gb, InputB}} {
			if p.Shared&x.in == 0 {
				fillNaN(x.v)
			}
		}
		return
	}
	st := f.setupOf(i)
	it := p.item(d, i)
	z := sol.Z[i*n : (i+1)*n]
	lam := sol.Lam[i*m : (i+1)*m]
	s := sol.S[i*m : (i+1)*m]
	nu := sol.Nu[i*k : (i+1)*k]
	for j := range w.dg {
		w.dg[j] = lam[j] / s[j]
	}
	// Constraints stiffer than activeRatio·ρ_g go through the Schur
	// complement on the primal path (see factor).
	if err := w.factor(st, &it, w.dg, activeRatio*st.rhoG); err != nil {
		for _, v := range [][]float64{gq, gp, gg, gh, ga, gb} {
			fillNaN(v)
		}
		return
	}
	clear(w.rzp)
	clear(w.ry)
	w.solveNewton(st, &it, w.dg, dl, w.rzp, w.ry, w.dz, w.dl, w.dnu, false)
	dz, wl, dnu := w.dz, w.dl, w.dnu
	for a := 0; a < n; a++ {
		row := gq[a*n : (a+1)*n]
		za, da := 0.5*z[a], 0.5*dz[a]
		for b := range row {
			row[b] += da*z[b] + za*dz[b]
		}
		gp[a] += dz[a]
	}
	for r := 0; r < m; r++ {
		row := gg[r*n : (r+1)*n]
		wr, lr := wl[r], lam[r]
		for b := range row {
			row[b] += wr*z[b] + lr*dz[b]
		}
		gh[r] -= wr
	}
	for r := 0; r < k; r++ {
		row := ga[r*n : (r+1)*n]
		vr, nr := dnu[r], nu[r]
		for b := range row {
			row[b] += vr*z[b] + nr*dz[b]
		}
		gb[r] -= vr
	}
}

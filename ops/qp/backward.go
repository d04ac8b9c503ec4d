package qp

import (
	"context"
	"errors"
	"fmt"

	"github.com/optnet-go/optnet/internal/linalg"
)

// activeRatio sets the threshold of λ/s above which the backward pass
// treats an inequality as active on the primal path.
const activeRatio = 100

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

	// Phase 1, per item and in parallel: the adjoint solution (d_z, w, d_ν)
	// into the rows of adj, and the gradients of batched inputs.
	adj := &adjoint{dz: make([]float64, nb*n), w: make([]float64, nb*m), dnu: make([]float64, nb*k)}
	done := ctx.Done()
	parallel(d, nb, f.opt.Workers, func(w *worker, i int) {
		select {
		case <-done:
			return
		default:
		}
		w.backwardItem(sol, f, i, dzAll[i*n:(i+1)*n], adj, g)
	})
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := degenerateItems(sol, adj, dzAll, n, m, k); err != nil {
		return nil, err
	}

	// Phase 2: shared inputs get the sum over the solved items, the matrix
	// ones as products over the batch (e.g. dQ = ½(D_zᵀZ + ZᵀD_z) with the
	// items as rows), in a fixed order. Failed items have zero adjoint rows;
	// their NaN primal rows are masked.
	z, lam, nu := sol.Z, sol.Lam, sol.Nu
	if failed := countFailed(sol); failed > 0 {
		z, lam, nu = maskFailed(sol, z, n), maskFailed(sol, lam, m), maskFailed(sol, nu, k)
	}
	if shared(InputQ) {
		// X = D_zᵀZ once, then dQ = ½(X + Xᵀ): Xᵀ = ZᵀD_z term by term.
		linalg.GemmTN(n, n, nb, 1, adj.dz, n, z, n, g.Q, n)
		for i := 0; i < n; i++ {
			for j := i; j < n; j++ {
				v := 0.5 * (g.Q[i*n+j] + g.Q[j*n+i])
				g.Q[i*n+j], g.Q[j*n+i] = v, v
			}
		}
	}
	if m > 0 && shared(InputG) {
		linalg.GemmTN(m, n, nb, 1, adj.w, m, z, n, g.G, n)
		linalg.GemmTN(m, n, nb, 1, lam, m, adj.dz, n, g.G, n)
	}
	if k > 0 && shared(InputA) {
		linalg.GemmTN(k, n, nb, 1, adj.dnu, k, z, n, g.A, n)
		linalg.GemmTN(k, n, nb, 1, nu, k, adj.dz, n, g.A, n)
	}
	for i := 0; i < nb; i++ {
		if shared(InputP) {
			linalg.Axpy(n, 1, adj.dz[i*n:], g.P)
		}
		if m > 0 && shared(InputH) {
			linalg.Axpy(m, -1, adj.w[i*m:], g.H)
		}
		if k > 0 && shared(InputB) {
			linalg.Axpy(k, -1, adj.dnu[i*k:], g.B)
		}
	}
	return g, nil
}

// degenerateItems reports the solved items whose adjoint solution is not
// finite although their upstream gradient is: their KKT system is singular
// at the solution, and silently returning NaN gradients would corrupt
// training.
func degenerateItems(sol *Solution, adj *adjoint, dz []float64, n, m, k int) error {
	var items []ItemError
	for i := 0; i < sol.Batch; i++ {
		if sol.Status != nil && sol.Status[i] != nil {
			continue // failed in the forward (FailNaN): NaN by design
		}
		if !allFinite(dz[i*n : (i+1)*n]) {
			continue // NaN in, NaN out
		}
		if !allFinite(adj.dz[i*n:(i+1)*n]) || !allFinite(adj.w[i*m:(i+1)*m]) || !allFinite(adj.dnu[i*k:(i+1)*k]) {
			items = append(items, ItemError{Item: i, Reason: ErrDegenerate})
		}
	}
	if len(items) == 0 {
		return nil
	}
	return &SolveError{Items: items}
}

// adjoint holds, per item (rows), the solution of the adjoint KKT system.
type adjoint struct {
	dz, w, dnu []float64 // B×n, B×m, B×k
}

func countFailed(sol *Solution) int {
	c := 0
	for _, e := range sol.Status {
		if e != nil {
			c++
		}
	}
	return c
}

// maskFailed returns a copy of the B×size array x with the rows of failed
// items zeroed.
func maskFailed(sol *Solution, x []float64, size int) []float64 {
	y := append([]float64(nil), x...)
	for i, e := range sol.Status {
		if e != nil {
			clear(y[i*size : (i+1)*size])
		}
	}
	return y
}

// backwardItem differentiates item i. With w = Λd_λ, the adjoint KKT system
// is the Newton system with rx = ∂ℓ/∂z, rz' = 0, ry = 0:
//
//	Q d_z + Gᵀw + Aᵀd_ν = −∂ℓ/∂z,  G d_z − D⁻¹w = 0,  A d_z = 0,
//
// and the gradients are dp = d_z, dh = −w, db = −d_ν,
// dQ = ½(d_z zᵀ + z d_zᵀ), dG = w zᵀ + λ d_zᵀ, dA = d_ν zᵀ + ν d_zᵀ.
// The adjoint solution goes into adj's row i; gradients of batched inputs
// are written into g (shared ones are summed later from adj).
func (w *worker) backwardItem(sol *Solution, f *factors, i int, dl []float64, adj *adjoint, g *Grads) {
	d := f.d
	n, m, k := d.n, d.m, d.k
	p := sol.Problem
	batched := func(in Input) bool { return p.Shared&in == 0 }
	row := func(x []float64, size int) []float64 { return x[i*size : (i+1)*size] }
	if sol.Status[i] != nil {
		// Failed item: NaN rows in its own gradients; zero adjoint rows, so
		// that it adds nothing to the shared sums.
		for _, x := range []struct {
			v    []float64
			in   Input
			size int
		}{{g.Q, InputQ, n * n}, {g.P, InputP, n}, {g.G, InputG, m * n}, {g.H, InputH, m}, {g.A, InputA, k * n}, {g.B, InputB, k}} {
			if batched(x.in) && x.v != nil {
				fillNaN(row(x.v, x.size))
			}
		}
		return
	}
	st := f.setupOf(i)
	it := p.item(d, i)
	z, lam, s, nu := row(sol.Z, n), row(sol.Lam, m), row(sol.S, m), row(sol.Nu, k)
	for j := range w.dg {
		w.dg[j] = lam[j] / s[j]
	}
	dz, wl, dnu := row(adj.dz, n), row(adj.w, m), row(adj.dnu, k)
	// Constraints stiffer than activeRatio·ρ_g go through the Schur
	// complement on the primal path (see factor).
	if err := w.factor(st, &it, w.dg, activeRatio*st.rhoG); err != nil {
		fillNaN(dz)
		fillNaN(wl)
		fillNaN(dnu)
	} else {
		clear(w.rzp)
		clear(w.ry)
		w.solveNewton(st, &it, w.dg, dl, w.rzp, w.ry, dz, wl, dnu, false, false)
	}
	if batched(InputQ) {
		hdz, hz := w.tn1, w.tn2
		for a := range hdz {
			hdz[a], hz[a] = 0.5*dz[a], 0.5*z[a]
		}
		linalg.Outer2(n, n, hdz, z, hz, dz, row(g.Q, n*n), n)
	}
	if batched(InputP) {
		copy(row(g.P, n), dz)
	}
	if m > 0 && batched(InputG) {
		linalg.Outer2(m, n, wl, z, lam, dz, row(g.G, m*n), n)
	}
	if m > 0 && batched(InputH) {
		gh := row(g.H, m)
		for r := range gh {
			gh[r] = -wl[r]
		}
	}
	if k > 0 && batched(InputA) {
		linalg.Outer2(k, n, dnu, z, nu, dz, row(g.A, k*n), n)
	}
	if k > 0 && batched(InputB) {
		gb := row(g.B, k)
		for r := range gb {
			gb[r] = -dnu[r]
		}
	}
}

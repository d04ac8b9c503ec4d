package qp_test

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/optnet-go/optnet/ops/qp"
	"github.com/optnet-go/optnet/ops/qp/qptest"
)

// TestPathsAgree solves the same problems with the dual and the primal
// reduction and compares solutions and gradients.
func TestPathsAgree(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for _, c := range []qptest.Config{
		{B: 3, N: 6, M: 5, K: 2},
		{B: 3, N: 4, M: 30, K: 1},
		{B: 2, N: 5, M: 4},
		{B: 2, N: 5, K: 2},
		{B: 2, N: 6, M: 7, K: 2, Shared: qp.InputQ | qp.InputG | qp.InputA},
	} {
		pr, _ := qptest.Random(rng, c)
		dz := make([]float64, c.B*c.N)
		for i := range dz {
			dz[i] = rng.NormFloat64()
		}
		var sols [2]*qp.Solution
		var grads [2]*qp.Grads
		for path := 1; path <= 2; path++ {
			prev := qp.SetForcePath(path)
			sol, err := qp.Solve(context.Background(), pr, qp.Options{})
			if err != nil {
				t.Fatal(err)
			}
			g, err := qp.Backward(context.Background(), sol, dz)
			qp.SetForcePath(prev)
			if err != nil {
				t.Fatal(err)
			}
			sols[path-1], grads[path-1] = sol, g
		}
		cmp := func(name string, a, b []float64, tol float64) {
			for i := range a {
				if math.Abs(a[i]-b[i]) > tol*(1+math.Abs(a[i])) {
					t.Errorf("%+v: %s[%d]: dual %.12g, primal %.12g", c, name, i, a[i], b[i])
					return
				}
			}
		}
		cmp("z", sols[0].Z, sols[1].Z, 1e-9)
		cmp("dQ", grads[0].Q, grads[1].Q, 1e-7)
		cmp("dp", grads[0].P, grads[1].P, 1e-7)
		cmp("dG", grads[0].G, grads[1].G, 1e-7)
		cmp("dh", grads[0].H, grads[1].H, 1e-7)
		cmp("dA", grads[0].A, grads[1].A, 1e-7)
		cmp("db", grads[0].B, grads[1].B, 1e-7)
	}
}

// TestBandAgreesWithDense compares the band form of the primal path with
// the dense one: on total-variation problems (solutions only: their
// gradients are not unique where both constraints of a pair are active) and
// on random problems with a diagonal Q and banded sparse G, forced onto the
// primal path (solutions and gradients).
func TestBandAgreesWithDense(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	xs := make([][]float64, 3)
	for i := range xs {
		xs[i] = make([]float64, 30)
		for j := range xs[i] {
			xs[i][j] = float64(j/10) + 0.3*rng.NormFloat64()
		}
	}
	banded := func() *qp.Problem {
		const nb, n, m = 3, 40, 60
		pr := &qp.Problem{N: n, M: m, Q: make([]float64, n*n), G: make([]float64, nb*m*n), Shared: qp.InputQ}
		for i := 0; i < n; i++ {
			pr.Q[i*n+i] = 0.5 + rng.Float64()
		}
		for b := 0; b < nb; b++ {
			for r := 0; r < m; r++ {
				c := (r * 7) % (n - 2) // three adjacent variables per row
				for j := c; j < c+3; j++ {
					pr.G[b*m*n+r*n+j] = rng.NormFloat64()
				}
				pr.H = append(pr.H, 0.1+rng.Float64())
			}
			for j := 0; j < n; j++ {
				pr.P = append(pr.P, 2*rng.NormFloat64())
			}
		}
		return pr
	}
	// Total variation is degenerate where both constraints of a pair are
	// active (y_i = y_{i+1}, t_i = 0): the solution is unique but only
	// Hölder-stable, and at the final residual (~1e-11) rounding alone moves
	// the dense path's z by up to ~3e-7 (perturbing p by 1e-15 relative does
	// so in about half the cases). The nondegenerate banded problems agree
	// to 1e-8.
	for _, c := range []struct {
		name  string
		pr    *qp.Problem
		grads bool
		ztol  float64
	}{
		{"tv", qptest.TotalVariation(xs, 0.4, false), false, 1e-6},
		{"tv_shared", qptest.TotalVariation(xs, 0.4, true), false, 1e-6},
		{"banded", banded(), true, 1e-8},
	} {
		pr := c.pr
		dz := make([]float64, 3*pr.N)
		for i := range dz {
			dz[i] = rng.NormFloat64()
		}
		var sols [2]*qp.Solution
		var grads [2]*qp.Grads
		prevPath := qp.SetForcePath(2)
		for i, off := range []bool{false, true} {
			prev := qp.SetNoBand(off)
			sol, err := qp.Solve(context.Background(), pr, qp.Options{})
			if err != nil {
				t.Fatal(err)
			}
			g, err := qp.Backward(context.Background(), sol, dz)
			qp.SetNoBand(prev)
			if err != nil {
				t.Fatal(err)
			}
			sols[i], grads[i] = sol, g
		}
		qp.SetForcePath(prevPath)
		cmp := func(name string, a, b []float64, tol float64) {
			for i := range a {
				if math.Abs(a[i]-b[i]) > tol*(1+math.Abs(b[i])) {
					t.Errorf("%s: %s[%d]: band %.12g, dense %.12g", c.name, name, i, a[i], b[i])
					return
				}
			}
		}
		cmp("z", sols[0].Z, sols[1].Z, c.ztol)
		cmp("lam", sols[0].Lam, sols[1].Lam, 1e-6)
		if c.grads {
			cmp("dp", grads[0].P, grads[1].P, 1e-7)
			cmp("dh", grads[0].H, grads[1].H, 1e-7)
			cmp("dG", grads[0].G, grads[1].G, 1e-7)
			cmp("dQ", grads[0].Q, grads[1].Q, 1e-7)
		}
	}
}

// TestAugmentedAgreesWithSchur compares the backward's two ways of handling
// the active rows on the band path: the band LU of the augmented system and
// the dense Schur complement.
func TestAugmentedAgreesWithSchur(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	xs := make([][]float64, 4)
	for i := range xs {
		xs[i] = make([]float64, 60)
		level := 0.0
		for j := range xs[i] {
			if j%12 == 0 {
				level = rng.NormFloat64()
			}
			xs[i][j] = level + 0.2*rng.NormFloat64()
		}
	}
	for _, shared := range []bool{false, true} {
		pr := qptest.TotalVariation(xs, 0.4, shared)
		sol, err := qp.Solve(context.Background(), pr, qp.Options{})
		if err != nil {
			t.Fatal(err)
		}
		dz := make([]float64, len(sol.Z))
		for i := range dz {
			dz[i] = rng.NormFloat64()
		}
		var grads [2]*qp.Grads
		before := qp.AugCount()
		for i, off := range []bool{false, true} {
			prev := qp.SetNoAug(off)
			grads[i], err = qp.Backward(context.Background(), sol, dz)
			qp.SetNoAug(prev)
			if err != nil {
				t.Fatal(err)
			}
		}
		if used := qp.AugCount() - before; used != int64(len(xs)) {
			t.Errorf("shared=%v: augmented system used for %d of %d items", shared, used, len(xs))
		}
		cmp := func(name string, a, b []float64) {
			for i := range a {
				if math.Abs(a[i]-b[i]) > 1e-9*(1+math.Abs(b[i])) {
					t.Errorf("shared=%v: %s[%d]: augmented %.15g, Schur %.15g", shared, name, i, a[i], b[i])
					return
				}
			}
		}
		cmp("dp", grads[0].P, grads[1].P)
		cmp("dh", grads[0].H, grads[1].H)
		cmp("dG", grads[0].G, grads[1].G)
		cmp("dQ", grads[0].Q, grads[1].Q)
	}
}

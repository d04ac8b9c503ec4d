package qp_test

import (
	"context"
	"errors"
	"math"
	"math/rand"
	"testing"

	"github.com/optnet-go/optnet/ops/qp"
)

// Sudoku-like problems z ≥ 0, Az = A·z₀ with z₀ having two nonzeros: the
// feasible set is usually a single point with many active bounds, where
// the KKT system is singular. Backward must report such items with
// ErrDegenerate and never return non-finite gradients silently.
func TestBackwardDegenerateIsAnError(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	n, k := 16, 10
	degenerate := 0
	for trial := 0; trial < 20; trial++ {
		a := make([]float64, k*n)
		for i := range a {
			a[i] = rng.NormFloat64()
		}
		z0 := make([]float64, n)
		z0[rng.Intn(n)], z0[rng.Intn(n)] = 1, 1
		b := make([]float64, k)
		for i := 0; i < k; i++ {
			for j := 0; j < n; j++ {
				b[i] += a[i*n+j] * z0[j]
			}
		}
		q, g := make([]float64, n*n), make([]float64, n*n)
		for i := 0; i < n; i++ {
			q[i*n+i], g[i*n+i] = 0.1, -1
		}
		p := make([]float64, n)
		for i := range p {
			p[i] = -rng.Float64()
		}
		pr := &qp.Problem{N: n, M: n, K: k, Q: q, P: p, G: g, H: make([]float64, n), A: a, B: b,
			Shared: qp.InputQ | qp.InputG | qp.InputH | qp.InputA | qp.InputB}
		sol, err := qp.Solve(context.Background(), pr, qp.Options{})
		if err != nil {
			continue
		}
		dz := make([]float64, n)
		for i := range dz {
			dz[i] = rng.NormFloat64()
		}
		gr, err := qp.Backward(context.Background(), sol, dz)
		if err != nil {
			var se *qp.SolveError
			if !errors.Is(err, qp.ErrDegenerate) || !errors.As(err, &se) || se.Items[0].Item != 0 {
				t.Fatalf("trial %d: want ErrDegenerate naming item 0, got %v", trial, err)
			}
			degenerate++
			continue
		}
		for _, x := range [][]float64{gr.Q, gr.P, gr.G, gr.H, gr.A, gr.B} {
			for _, v := range x {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					t.Fatalf("trial %d: non-finite gradient without an error", trial)
				}
			}
		}
	}
	if degenerate == 0 {
		t.Fatal("no degenerate problem was generated; the test checks nothing")
	}
}

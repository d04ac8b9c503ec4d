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

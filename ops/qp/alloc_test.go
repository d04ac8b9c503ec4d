package qp_test

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/optnet-go/optnet/ops/qp"
	"github.com/optnet-go/optnet/ops/qp/qptest"
)

// TestNoAllocationPerIteration checks that the interior-point loop does not
// allocate: a solve forced past convergence (up to 15 steps; it stops earlier
// only if the Newton matrix stops factoring) allocates no more than one
// stopped after 3.
func TestNoAllocationPerIteration(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	for _, c := range []qptest.Config{
		{B: 4, N: 12, M: 10, K: 3},
		{B: 4, N: 12, M: 10, K: 3, Shared: qp.InputQ | qp.InputG | qp.InputA},
		{B: 4, N: 5, M: 40, K: 2},           // primal path
		{B: 4, N: 6, M: 6, K: 1, PSD: true}, // primal path, semidefinite Q
		{Name: "tv"},                        // total variation: band path
	} {
		pr, _ := qptest.Random(rng, c)
		if c.Name == "tv" {
			xs := [][]float64{make([]float64, 40), make([]float64, 40)}
			for i := range xs[0] {
				xs[0][i], xs[1][i] = float64(i/8), rng.NormFloat64()
			}
			pr = qptest.TotalVariation(xs, 0.3, false)
		}
		allocs := func(steps int) float64 {
			opt := qp.Options{Eps: 1e-300, MaxIter: steps, NotImprovedLimit: 1000, Workers: 1, OnFailure: qp.FailNaN}
			return testing.AllocsPerRun(5, func() {
				if _, err := qp.Solve(context.Background(), pr, opt); err != nil {
					// Some items may stop on a factorisation failure when forced
					// past convergence; the allocation count is what matters.
					_ = err
				}
			})
		}
		sol, _ := qp.Solve(context.Background(), pr, qp.Options{Eps: 1e-300, MaxIter: 15, NotImprovedLimit: 1000, OnFailure: qp.FailNaN})
		if sol.Iterations[0] < 8 {
			t.Fatalf("%+v: forced solve took only %d steps", c, sol.Iterations[0])
		}
		if few, many := allocs(3), allocs(15); many > few {
			t.Errorf("%+v: %v allocations with 15 steps, %v with 3", c, many, few)
		}
	}
}

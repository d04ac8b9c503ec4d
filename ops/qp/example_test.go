package qp_test

import (
	"context"
	"fmt"
	"math"

	"github.com/optnet-go/optnet/ops/qp"
)

// Project the points (3, 1) and (−0.2, 0.4) onto the simplex
// {z ≥ 0, z₁ + z₂ = 1} in one batch, with the constraints shared by the
// batch, and differentiate z₁ with respect to p.
func Example() {
	pr := &qp.Problem{
		N: 2, M: 2, K: 1,
		Q: []float64{1, 0, 0, 1},        // ½‖z‖² …
		P: []float64{-3, -1, 0.2, -0.4}, // … − xᵀz, for x = (3, 1) and (−0.2, 0.4)
		G: []float64{-1, 0, 0, -1},      // −z ≤ 0
		H: []float64{0, 0},
		A: []float64{1, 1}, // z₁ + z₂ = 1
		B: []float64{1},
		// Q, G, h, A and b have no batch dimension; p has one (B = 2).
		Shared: qp.InputQ | qp.InputG | qp.InputH | qp.InputA | qp.InputB,
	}
	ctx := context.Background()
	sol, err := qp.Solve(ctx, pr, qp.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("z = %.4f, %.4f\n", round(sol.Z[0:2]), round(sol.Z[2:4]))

	// ∂z₁/∂p for each item: dz selects z₁.
	g, err := qp.Backward(ctx, sol, []float64{1, 0, 1, 0})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("dp = %.4f, %.4f\n", round(g.P[0:2]), round(g.P[2:4]))
	// Output:
	// z = [1.0000 0.0000], [0.2000 0.8000]
	// dp = [0.0000 0.0000], [-0.5000 0.5000]
}

// round rounds to 4 decimals, turning −0 into 0, for stable output.
func round(x []float64) []float64 {
	r := make([]float64, len(x))
	for i, v := range x {
		r[i] = math.Round(v*1e4)/1e4 + 0
	}
	return r
}

package cudaqp

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/optnet-go/optnet/ops/qp"
	"github.com/optnet-go/optnet/ops/qp/qptest"
)

func maxDiff(a, b []float64) float64 {
	r := 0.0
	for i := range a {
		d := math.Abs(a[i] - b[i])
		if math.IsNaN(a[i]) != math.IsNaN(b[i]) {
			return math.Inf(1)
		}
		if !math.IsNaN(d) {
			r = max(r, d)
		}
	}
	return r
}

func TestSmoke(t *testing.T) {
	s := newSolver(t)
	t.Log(backendNote, s.Device())
	rng := rand.New(rand.NewPCG(1, 2))
	pr, _ := qptest.Random(rng, qptest.Config{B: 2, N: 5, M: 4, K: 1, Planted: true})
	ctx := context.Background()
	want, err := qp.CPU{}.Solve(ctx, pr, qp.Options{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Solve(ctx, pr, qp.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Log(got.Z, want.Z, got.Iterations, want.Iterations)
	if d := maxDiff(got.Z, want.Z); d > 1e-8 {
		t.Errorf("z differs by %g", d)
	}
}

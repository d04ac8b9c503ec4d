package cudaqp

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/optnet-go/optnet/ops/qp"
	"github.com/optnet-go/optnet/ops/qp/qptest"
)

// parityTol is the agreement required between the CUDA and CPU solvers on
// z, λ, ν and the six gradients: 1e-8, relative to the size of the array
// (max(1, max|x|)), as both run the same algorithm in float64.
const parityTol = 1e-8

// scaledDiff returns max|a−b| / max(1, max|b|), NaNs matching NaNs (a NaN
// against a number counts as +Inf).
func scaledDiff(a, b []float64) float64 {
	if len(a) != len(b) {
		return math.Inf(1)
	}
	d, s := 0.0, 1.0
	for i := range a {
		if math.IsNaN(a[i]) || math.IsNaN(b[i]) {
			if math.IsNaN(a[i]) != math.IsNaN(b[i]) {
				return math.Inf(1)
			}
			continue
		}
		d = max(d, math.Abs(a[i]-b[i]))
		s = max(s, math.Abs(b[i]))
	}
	return d / s
}

func maxDiff(a, b []float64) float64 { return scaledDiff(a, b) }

// compareSolvers solves pr with the CUDA solver and the CPU solver (in
// FailNaN mode), and checks that the same items fail for the same reasons
// and that z, λ, ν and the gradients of Σ dz·z agree to parityTol.
func compareSolvers(t *testing.T, s qp.Solver, pr *qp.Problem, dz []float64) {
	t.Helper()
	ctx := context.Background()
	opt := qp.Options{OnFailure: qp.FailNaN}
	want, werr := qp.CPU{}.Solve(ctx, pr, opt)
	got, gerr := s.Solve(ctx, pr, opt)
	if (werr == nil) != (gerr == nil) || want == nil || got == nil {
		t.Fatalf("CPU: (%v, %v); CUDA: (%v, %v)", want != nil, werr, got != nil, gerr)
	}
	defer got.Release()
	for i := range want.Status {
		w, g := want.Status[i], got.Status[i]
		if (w == nil) != (g == nil) {
			t.Errorf("item %d: CPU status %v, CUDA %v", i, w, g)
			continue
		}
		if w != nil && !sameReason(w, g) {
			t.Errorf("item %d: CPU %v, CUDA %v", i, w, g)
		}
	}
	if werr != nil && gerr.Error() != werr.Error() {
		// Messages agree except for numbers that depend on rounding
		// (iteration counts and scores of items that did not converge).
		var we, ge *qp.SolveError
		if !errors.As(werr, &we) || !errors.As(gerr, &ge) || len(we.Items) != len(ge.Items) {
			t.Errorf("errors differ: CPU %q, CUDA %q", werr, gerr)
		}
	}
	for _, c := range []struct {
		name      string
		got, want []float64
	}{{"z", got.Z, want.Z}, {"lam", got.Lam, want.Lam}, {"nu", got.Nu, want.Nu}, {"s", got.S, want.S}} {
		if d := scaledDiff(c.got, c.want); d > parityTol {
			t.Errorf("%s: CUDA and CPU differ by %.3g (scaled)", c.name, d)
		}
	}
	if dz == nil {
		return
	}
	gg, err := s.Backward(ctx, got, dz)
	if err != nil {
		t.Fatal(err)
	}
	gw, err := qp.CPU{}.Backward(ctx, want, dz)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name      string
		got, want []float64
	}{{"dQ", gg.Q, gw.Q}, {"dp", gg.P, gw.P}, {"dG", gg.G, gw.G}, {"dh", gg.H, gw.H}, {"dA", gg.A, gw.A}, {"db", gg.B, gw.B}} {
		if (c.got == nil) != (c.want == nil) {
			t.Errorf("%s: CUDA gives %d values, CPU %d", c.name, len(c.got), len(c.want))
			continue
		}
		if d := scaledDiff(c.got, c.want); d > parityTol {
			t.Errorf("%s: CUDA and CPU differ by %.3g (scaled)", c.name, d)
		}
	}
}

var digits = regexp.MustCompile(`[0-9][0-9.e+-]*`)

// sameReason reports whether two item errors wrap the same sentinel.
func sameReason(a, b error) bool {
	for _, s := range []error{qp.ErrNonFinite, qp.ErrNotConvex, qp.ErrInfeasible, qp.ErrRankDeficient, qp.ErrNotConverged} {
		if errors.Is(a, s) != errors.Is(b, s) {
			return false
		}
	}
	return true
}

func randVec(rng *rand.Rand, n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	return x
}

// TestParityReferenceCases compares the solvers on the shared qp-cases.
func TestParityReferenceCases(t *testing.T) {
	s := newSolver(t)
	dir, err := qptest.SharedDir()
	if err == nil {
		_, err = os.Stat(filepath.Join(dir, "index.json"))
	}
	if err != nil {
		t.Skipf("reference cases not found (set OPTNET_SHARED): %v", err)
	}
	cases, err := qptest.LoadCases(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			pr := &qp.Problem{N: c.N, M: c.M, K: c.K, Q: c.Arrays["Q"], P: c.Arrays["p"], G: c.Arrays["G"], H: c.Arrays["h"]}
			if c.K > 0 {
				pr.A, pr.B = c.Arrays["A"], c.Arrays["b"]
			}
			if c.Shared {
				pr.Shared = qp.InputQ | qp.InputG | qp.InputH | qp.InputA | qp.InputB
			}
			compareSolvers(t, s, pr, c.Arrays["dl_dz"])
		})
	}
}

// TestParityRandom compares the solvers on random batches covering batched
// and shared inputs, equality-only and unconstrained problems, B = 1,
// semidefinite Q (the primal reduction) and more constraints than variables.
func TestParityRandom(t *testing.T) {
	s := newSolver(t)
	rng := rand.New(rand.NewPCG(11, 12))
	for _, c := range []qptest.Config{
		{Name: "batched", B: 16, N: 8, M: 6, K: 2, Planted: true},
		{Name: "ineq_only", B: 8, N: 12, M: 20, Planted: true},
		{Name: "eq_only", B: 8, N: 7, K: 3, Planted: true},
		{Name: "unconstrained", B: 8, N: 9},
		{Name: "unconstrained_sharedQ", B: 5, N: 6, Shared: qp.InputQ},
		{Name: "B1", B: 1, N: 5, M: 4, K: 1, Planted: true},
		{Name: "n1", B: 4, N: 1, M: 2, Planted: true},
		{Name: "psd", B: 6, N: 8, M: 8, K: 1, PSD: true, Planted: true},
		{Name: "psd_noeq", B: 4, N: 6, M: 8, PSD: true, Planted: true},
		{Name: "many_ineq", B: 4, N: 4, M: 40, K: 1, Planted: true},
		{Name: "shared_QGA", B: 8, N: 6, M: 5, K: 2, Shared: qp.InputQ | qp.InputG | qp.InputA, Planted: true},
		{Name: "shared_Q", B: 6, N: 5, M: 4, K: 1, Shared: qp.InputQ, Planted: true},
		{Name: "shared_all_but_p", B: 8, N: 6, M: 5, K: 2, Shared: qp.InputQ | qp.InputG | qp.InputH | qp.InputA | qp.InputB},
		{Name: "shared_h_b", B: 5, N: 5, M: 6, K: 1, Shared: qp.InputH | qp.InputB},
		{Name: "shared_p_G", B: 5, N: 5, M: 6, K: 2, Shared: qp.InputP | qp.InputG},
		{Name: "all_shared", B: 1, N: 4, M: 3, K: 1, Shared: qp.InputQ | qp.InputP | qp.InputG | qp.InputH | qp.InputA | qp.InputB},
		{Name: "medium", B: 4, N: 40, M: 40, K: 5, Planted: true},
	} {
		t.Run(c.Name, func(t *testing.T) {
			pr, _ := qptest.Random(rng, c)
			compareSolvers(t, s, pr, randVec(rng, c.B*c.N))
		})
	}
}

// TestParityLargeBatch compares the solvers on B = 4096 small problems with
// shared Q, G, A (the OptNet layer's layout).
func TestParityLargeBatch(t *testing.T) {
	s := newSolver(t)
	if testing.Short() && emulated() {
		t.Skip("-short: B = 4096 is slow under emulation")
	}
	rng := rand.New(rand.NewPCG(13, 14))
	c := qptest.Config{B: 4096, N: 4, M: 3, K: 1, Shared: qp.InputQ | qp.InputG | qp.InputA, Planted: true}
	pr, _ := qptest.Random(rng, c)
	compareSolvers(t, s, pr, randVec(rng, c.B*c.N))
}

// TestParityErrors compares per-item failures: non-finite data, a Q that is
// not semidefinite, infeasible constraints, dependent equalities and an
// objective that is not strictly convex, mixed with solvable items.
func TestParityErrors(t *testing.T) {
	s := newSolver(t)
	rng := rand.New(rand.NewPCG(15, 16))
	pr, _ := qptest.Random(rng, qptest.Config{B: 8, N: 4, M: 4, K: 2, Planted: true})
	n, m, k := 4, 4, 2
	pr.P[1*n+2] = math.NaN() // item 1: non-finite
	pr.Q[2*n*n] = -5         // item 2: Q not semidefinite
	g := pr.G[3*m*n : 4*m*n] // item 3: z₀ ≤ −1 and −z₀ ≤ −1
	clear(g[:2*n])
	g[0], g[n] = 1, -1
	pr.H[3*m], pr.H[3*m+1] = -1, -1
	copy(pr.A[4*k*n+n:4*k*n+2*n], pr.A[4*k*n:4*k*n+n]) // item 4: equal rows of A
	pr.B[4*k+1] = pr.B[4*k]
	pr.H[5*m+1] = math.Inf(1) // item 5: non-finite h
	compareSolvers(t, s, pr, randVec(rng, 8*n))

	// FailError mode: no solution, the same *SolveError items.
	_, gerr := s.Solve(context.Background(), pr, qp.Options{})
	_, werr := qp.CPU{}.Solve(context.Background(), pr, qp.Options{})
	var ge, we *qp.SolveError
	if !errors.As(gerr, &ge) || !errors.As(werr, &we) {
		t.Fatalf("errors %v / %v", gerr, werr)
	}
	// The messages agree but for numbers (iteration counts of the infeasible
	// item depend on rounding: near the end its dual system is singular, and
	// which solver's factorisation gives up first is a matter of rounding).
	if digits.ReplaceAllString(gerr.Error(), "#") != digits.ReplaceAllString(werr.Error(), "#") {
		t.Errorf("messages differ:\n CUDA %s\n CPU  %s", gerr, werr)
	}

	// Not strictly convex: Q = 0 with one constraint.
	bad := &qp.Problem{N: 2, M: 1, Q: make([]float64, 4), P: []float64{1, 1}, G: []float64{-1, 0}, H: []float64{0}}
	compareSolvers(t, s, bad, []float64{1, 1})

	// Every item non-finite: nothing reaches the device.
	allBad, _ := qptest.Random(rng, qptest.Config{B: 3, N: 3, M: 2, Shared: qp.InputG})
	allBad.G[0] = math.Inf(-1)
	compareSolvers(t, s, allBad, randVec(rng, 9))
}

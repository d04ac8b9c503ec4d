// Package qptest is the parity suite that every implementation of
// qp.Solver must pass: the shared reference cases (qpth and cvxopt
// solutions and qpth gradients), total-variation problems checked against
// cvxopt, KKT residuals and finite-difference gradients on random problems,
// and the typed errors for bad problems.
//
// A solver package runs it from a test:
//
//	func TestSuite(t *testing.T) { qptest.RunSolverSuite(t, mysolver.New()) }
package qptest

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/optnet-go/optnet/ops/qp"
)

// RunSolverSuite runs every check of the suite against s, as subtests.
func RunSolverSuite(t *testing.T, s qp.Solver) {
	t.Run("ReferenceCases", func(t *testing.T) { testReferenceCases(t, s) })
	t.Run("TotalVariation", func(t *testing.T) { testTotalVariation(t, s) })
	t.Run("Planted", func(t *testing.T) { testPlanted(t, s) })
	t.Run("RandomShapes", func(t *testing.T) { testRandomShapes(t, s) })
	t.Run("FiniteDifferences", func(t *testing.T) { testFiniteDifferences(t, s) })
	t.Run("Unconstrained", func(t *testing.T) { testUnconstrained(t, s) })
	t.Run("LinearProgram", func(t *testing.T) { testLinearProgram(t, s) })
	t.Run("Errors", func(t *testing.T) { testErrors(t, s) })
}

// relErr returns ‖got − scale·want‖₂ / ‖scale·want‖₂ (or the absolute
// error when want is zero).
func relErr(got, want []float64, scale float64) float64 {
	num, den := 0.0, 0.0
	for i := range want {
		d := got[i] - scale*want[i]
		num += d * d
		den += scale * want[i] * scale * want[i]
	}
	if den == 0 {
		return math.Sqrt(num)
	}
	return math.Sqrt(num / den)
}

func maxAbsDiff(a, b []float64) float64 {
	r := 0.0
	for i := range a {
		r = max(r, math.Abs(a[i]-b[i]))
	}
	return r
}

func testReferenceCases(t *testing.T, s qp.Solver) {
	dir, err := SharedDir()
	if err != nil {
		t.Skipf("reference cases not found: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "index.json")); err != nil {
		t.Skipf("reference cases not found at %s (set OPTNET_SHARED to the directory holding qp-cases): %v", dir, err)
	}
	cases, err := LoadCases(dir)
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
			sol, err := s.Solve(context.Background(), pr, qp.Options{Eps: 1e-12})
			if err != nil {
				t.Fatal(err)
			}
			degenerate := strings.HasPrefix(c.Name, "sudoku")
			for i := 0; i < c.B; i++ {
				if r := Residuals(pr, sol, i); r.Max() > 1e-9 {
					t.Errorf("item %d: KKT residuals %+v", i, r)
				}
			}
			if degenerate {
				// z is not unique to better than ~1e-7: compare objectives.
				for i := 0; i < c.B; i++ {
					got := objective(pr, sol.Z, i)
					want := objective(pr, c.Arrays["z_cvxopt"], i)
					if math.Abs(got-want) > 1e-8*(1+math.Abs(want)) {
						t.Errorf("item %d: objective %.12g, cvxopt %.12g", i, got, want)
					}
				}
			} else {
				if d := maxAbsDiff(sol.Z, c.Arrays["z_cvxopt"]); d > 1e-8 {
					t.Errorf("max |z − z_cvxopt| = %.3g > 1e-8", d)
				}
			}
			if d := maxAbsDiff(sol.Z, c.Arrays["z"]); d > 1e-8 {
				t.Errorf("max |z − z_qpth| = %.3g > 1e-8", d)
			}
			g, err := s.Backward(context.Background(), sol, c.Arrays["dl_dz"])
			if err != nil {
				t.Fatal(err)
			}
			scale := 1.0
			if c.Shared {
				scale = float64(c.B) // qpth returns the batch mean
			}
			check := func(name string, got []float64, sharedIn bool) {
				want := c.Arrays[name]
				if len(want) == 0 {
					if got != nil {
						t.Errorf("%s: got a gradient for an absent input", name)
					}
					return
				}
				sc := 1.0
				if sharedIn {
					sc = scale
				}
				if len(got) != len(want) {
					t.Errorf("%s: %d elements, want %d", name, len(got), len(want))
					return
				}
				// qpth's own gradients are accurate to about 1e-6: where they
				// differ from ours by that much, finite differences side with
				// ours (see the directional check below), so allow 3e-6.
				if e := relErr(got, want, sc); e > 3e-6 {
					t.Errorf("%s: relative error %.3g against qpth > 3e-6", name, e)
				}
			}
			check("dQ", g.Q, c.Shared)
			check("dp", g.P, false)
			check("dG", g.G, c.Shared)
			check("dh", g.H, c.Shared)
			check("dA", g.A, c.Shared)
			check("db", g.B, c.Shared)
			if !degenerate {
				checkDirectional(t, s, pr, c.Arrays["dl_dz"], g, rand.New(rand.NewPCG(uint64(c.B), uint64(c.N))), fdCheck{eps: 1e-6, dirs: 1})
			}
		})
	}
}

// fdCheck describes a finite-difference check of Backward.
type fdCheck struct {
	eps  float64 // central-difference step
	dirs int     // random directions per input
	psdQ bool    // Q is semidefinite: perturb it only within its range
	// lossNoise is the relative accuracy of ℓ from one solve: it puts noise
	// of lossNoise·|ℓ|/eps into the difference quotient.
	lossNoise float64
}

// checkDirectional compares the gradients g of ℓ = Σ wᵢᵀzᵢ with central
// differences along random directions of every input given, and checks
// that absent inputs have no gradient.
func checkDirectional(t *testing.T, s qp.Solver, pr *qp.Problem, weights []float64, g *qp.Grads, rng *rand.Rand, fc fdCheck) {
	t.Helper()
	loss := func() float64 {
		sl, err := s.Solve(context.Background(), pr, qp.Options{})
		if err != nil {
			t.Fatal(err)
		}
		f := 0.0
		for i, v := range sl.Z {
			f += weights[i] * v
		}
		return f
	}
	inputs := []struct {
		name string
		x    []float64
		grad []float64
	}{{"Q", pr.Q, g.Q}, {"p", pr.P, g.P}, {"G", pr.G, g.G}, {"h", pr.H, g.H}, {"A", pr.A, g.A}, {"b", pr.B, g.B}}
	for _, in := range inputs {
		if len(in.x) == 0 {
			if in.grad != nil {
				t.Errorf("%s absent but has a gradient", in.name)
			}
			continue
		}
		if len(in.grad) != len(in.x) {
			t.Fatalf("%s: gradient has %d elements, input %d", in.name, len(in.grad), len(in.x))
		}
		for range fc.dirs {
			v := randMat(rng, 1, len(in.x))
			if in.name == "Q" {
				symmetrise(v, pr.N)
				if fc.psdQ {
					// Keep Q ± εV semidefinite: V = Q·S·Q.
					v = sandwich(pr.Q, v, pr.N)
				}
			}
			orig := append([]float64(nil), in.x...)
			for j := range v {
				in.x[j] = orig[j] + fc.eps*v[j]
			}
			fp := loss()
			for j := range v {
				in.x[j] = orig[j] - fc.eps*v[j]
			}
			fm := loss()
			copy(in.x, orig)
			fd := (fp - fm) / (2 * fc.eps)
			an := 0.0
			for j := range v {
				an += in.grad[j] * v[j]
			}
			noise := fc.lossNoise * (1 + math.Abs(fp)) / fc.eps
			if math.Abs(fd-an) > 1e-5*(1+math.Abs(an))+noise {
				t.Errorf("d%s along a random direction: analytic %.10g, finite difference %.10g", in.name, an, fd)
			}
		}
	}
}

func objective(pr *qp.Problem, zAll []float64, i int) float64 {
	n := pr.N
	q := pr.Q
	if pr.Shared&qp.InputQ == 0 {
		q = q[i*n*n : (i+1)*n*n]
	}
	p := pr.P
	if pr.Shared&qp.InputP == 0 {
		p = p[i*n : (i+1)*n]
	}
	z := zAll[i*n : (i+1)*n]
	f := 0.0
	for a := 0; a < n; a++ {
		for b := 0; b < n; b++ {
			f += 0.5 * z[a] * q[a*n+b] * z[b]
		}
		f += p[a] * z[a]
	}
	return f
}

// testdataDir is the directory of this package's testdata, wherever the
// test that calls the suite runs.
func testdataDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "testdata")
}

func testTotalVariation(t *testing.T, s qp.Solver) {
	raw, err := os.ReadFile(filepath.Join(testdataDir(), "tv_cvxopt.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ref struct {
		Lambda float64
		X, Z   [][]float64
	}
	if err := json.Unmarshal(raw, &ref); err != nil {
		t.Fatal(err)
	}
	for _, shared := range []bool{false, true} {
		pr := TotalVariation(ref.X, ref.Lambda, shared)
		sol, err := s.Solve(context.Background(), pr, qp.Options{})
		if err != nil {
			t.Fatalf("shared=%v: %v", shared, err)
		}
		for i, zc := range ref.Z {
			// The objective is strongly convex (modulus 1) in y only through
			// ½‖y − x‖², so a duality gap δ bounds the error in y by √(2δ):
			// cvxopt's 1e-10 tolerances leave its z uncertain at the 1e-6
			// level. The tight check is the independent KKT check below.
			z := sol.Z[i*pr.N : (i+1)*pr.N]
			if d := maxAbsDiff(z, zc); d > 1e-5 {
				t.Errorf("shared=%v item %d: max |z − z_cvxopt| = %.3g > 1e-5", shared, i, d)
			}
			if r := Residuals(pr, sol, i); r.Max() > 1e-8 {
				t.Errorf("shared=%v item %d: KKT residuals %+v", shared, i, r)
			}
			// cvxopt's point is feasible; ours must be at least as good.
			if got, want := objective(pr, sol.Z, i), objective(pr, flat(ref.Z), i); got > want+1e-9*(1+math.Abs(want)) {
				t.Errorf("shared=%v item %d: objective %.12g worse than cvxopt's %.12g", shared, i, got, want)
			}
		}
		dz := make([]float64, len(sol.Z))
		for i := range dz {
			dz[i] = 1
		}
		g, err := s.Backward(context.Background(), sol, dz)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range g.P {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("shared=%v: non-finite gradient", shared)
			}
		}
	}
}

func flat(x [][]float64) []float64 {
	var r []float64
	for _, v := range x {
		r = append(r, v...)
	}
	return r
}

// configs covers batched and shared inputs, with and without equalities,
// B = 1, n = 1, m = 0, k = 0, semidefinite Q and more constraints than
// variables (which makes the CPU solver choose its primal path).
var configs = []Config{
	{Name: "batched", B: 4, N: 8, M: 6, K: 2, Planted: true},
	{Name: "batched_noeq", B: 3, N: 7, M: 9, Planted: true},
	{Name: "eq_only", B: 3, N: 6, K: 3, Planted: true},
	{Name: "B1", B: 1, N: 5, M: 4, K: 1, Planted: true},
	{Name: "n1", B: 3, N: 1, M: 2, Planted: true},
	{Name: "n1_eq", B: 2, N: 1, M: 2, K: 1, Planted: true},
	{Name: "many_ineq", B: 3, N: 4, M: 30, K: 1, Planted: true},
	{Name: "psd", B: 3, N: 6, M: 6, K: 1, PSD: true, Planted: true},
	{Name: "psd_noeq", B: 2, N: 6, M: 8, PSD: true, Planted: true},
	{Name: "shared_QGA", B: 4, N: 6, M: 5, K: 2, Shared: qp.InputQ | qp.InputG | qp.InputA, Planted: true},
	{Name: "shared_Q", B: 3, N: 5, M: 4, K: 1, Shared: qp.InputQ, Planted: true},
	{Name: "shared_all_but_p", B: 4, N: 6, M: 5, K: 2, Shared: qp.InputQ | qp.InputG | qp.InputH | qp.InputA | qp.InputB},
	{Name: "shared_h_b", B: 3, N: 5, M: 6, K: 1, Shared: qp.InputH | qp.InputB},
	{Name: "shared_p_G", B: 3, N: 5, M: 6, K: 2, Shared: qp.InputP | qp.InputG},
	{Name: "all_shared", B: 1, N: 4, M: 3, K: 1, Shared: qp.InputQ | qp.InputP | qp.InputG | qp.InputH | qp.InputA | qp.InputB},
	{Name: "unconstrained", B: 2, N: 4, Planted: true},
	{Name: "unconstrained_sharedQ", B: 3, N: 3, Shared: qp.InputQ},
}

func testPlanted(t *testing.T, s qp.Solver) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, c := range configs {
		t.Run(c.Name, func(t *testing.T) {
			pr, pl := Random(rng, c)
			sol, err := s.Solve(context.Background(), pr, qp.Options{})
			if err != nil {
				t.Fatal(err)
			}
			for i := 0; i < c.B; i++ {
				if r := Residuals(pr, sol, i); r.Max() > 1e-9 {
					t.Errorf("item %d: KKT residuals %+v", i, r)
				}
			}
			if pl == nil {
				return
			}
			if d := maxAbsDiff(sol.Z, pl.Z); d > 1e-8 {
				t.Errorf("max |z − planted z| = %.3g", d)
			}
			if d := maxAbsDiff(sol.Lam, pl.Lam); d > 1e-7 {
				t.Errorf("max |λ − planted λ| = %.3g", d)
			}
			if d := maxAbsDiff(sol.Nu, pl.Nu); d > 1e-7 {
				t.Errorf("max |ν − planted ν| = %.3g", d)
			}
		})
	}
}

// testRandomShapes solves a few hundred random feasible, strictly convex
// problems of assorted sizes (n ≤ 30, m < 40, k ≤ 5, semidefinite Q, random
// sharing) and checks every item's KKT residuals.
func testRandomShapes(t *testing.T, s qp.Solver) {
	rng := rand.New(rand.NewPCG(77, 78))
	for trial := 0; trial < 300; trial++ {
		n := 1 + rng.IntN(30)
		k := min(rng.IntN(min(n, 5)+1), n-1)
		c := Config{B: 4, N: n, M: rng.IntN(40), K: k, Shared: qp.Input(rng.IntN(64))}
		c.PSD = rng.IntN(4) == 0 && n-k-1 >= 2 && c.M >= 2
		c.Planted = c.PSD || rng.IntN(2) == 0
		if c.Planted {
			c.Shared &^= qp.InputP | qp.InputH | qp.InputB
		}
		pr, _ := Random(rng, c)
		sol, err := s.Solve(context.Background(), pr, qp.Options{})
		if err != nil {
			t.Errorf("trial %d %+v: %v", trial, c, err)
			continue
		}
		for i := 0; i < c.B; i++ {
			if r := Residuals(pr, sol, i); r.Max() > 1e-8 {
				t.Errorf("trial %d %+v item %d: KKT residuals %+v", trial, c, i, r)
			}
		}
	}
}

// testFiniteDifferences compares every gradient with central differences of
// ℓ = Σᵢ cᵢᵀzᵢ along random directions, on problems whose solutions are
// strictly complementary (so that z is differentiable).
func testFiniteDifferences(t *testing.T, s qp.Solver) {
	rng := rand.New(rand.NewPCG(3, 4))
	ctx := context.Background()
	for _, c := range configs {
		t.Run(c.Name, func(t *testing.T) {
			var pr *qp.Problem
			var sol *qp.Solution
			for try := 0; ; try++ {
				pr, _ = Random(rng, c)
				var err error
				sol, err = s.Solve(ctx, pr, qp.Options{})
				if err != nil {
					t.Fatal(err)
				}
				if margin(sol) > 1e-3 {
					break
				}
				if try == 20 {
					t.Fatal("no strictly complementary problem in 20 tries")
				}
			}
			cw := randMat(rng, c.B, c.N)
			g, err := s.Backward(ctx, sol, cw)
			if err != nil {
				t.Fatal(err)
			}
			checkDirectional(t, s, pr, cw, g, rng, fdCheck{eps: 1e-5, dirs: 2, psdQ: c.PSD,
				// A converged solve fixes ℓ to about 1e-10 relative on
				// these problems (the stopping rule's floor; two correct
				// solvers differ by that much on the semidefinite ones).
				lossNoise: 1e-10})
		})
	}
}

// margin returns min over constraints of max(λᵢ, sᵢ): positive for strictly
// complementary solutions.
func margin(sol *qp.Solution) float64 {
	r := math.Inf(1)
	for i := range sol.Lam {
		r = min(r, max(sol.Lam[i], sol.S[i]))
	}
	return r
}

// sandwich returns Q·S·Q for each n×n block of q and s.
func sandwich(q, s []float64, n int) []float64 {
	out := make([]float64, len(s))
	t := make([]float64, n*n)
	for b := 0; b < len(s)/(n*n); b++ {
		qb, sb, ob := q[b*n*n:(b+1)*n*n], s[b*n*n:(b+1)*n*n], out[b*n*n:(b+1)*n*n]
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				x := 0.0
				for l := 0; l < n; l++ {
					x += qb[i*n+l] * sb[l*n+j]
				}
				t[i*n+j] = x
			}
		}
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				x := 0.0
				for l := 0; l < n; l++ {
					x += t[i*n+l] * qb[l*n+j]
				}
				ob[i*n+j] = x
			}
		}
	}
	return out
}

func symmetrise(v []float64, n int) {
	nb := len(v) / (n * n)
	for b := 0; b < nb; b++ {
		x := v[b*n*n : (b+1)*n*n]
		for i := 0; i < n; i++ {
			for j := 0; j < i; j++ {
				a := 0.5 * (x[i*n+j] + x[j*n+i])
				x[i*n+j], x[j*n+i] = a, a
			}
		}
	}
}

// testUnconstrained checks z = −Q⁻¹p (via Qz + p = 0) and its gradient
// dp = −Q⁻¹ dz, for batched and shared Q.
func testUnconstrained(t *testing.T, s qp.Solver) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, shared := range []qp.Input{0, qp.InputQ} {
		pr, _ := Random(rng, Config{B: 3, N: 7, Shared: shared})
		sol, err := s.Solve(context.Background(), pr, qp.Options{})
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 3; i++ {
			if r := Residuals(pr, sol, i); r.Max() > 1e-12 {
				t.Errorf("shared=%v item %d: residuals %+v", shared, i, r)
			}
		}
		dz := randMat(rng, 3, 7)
		g, err := s.Backward(context.Background(), sol, dz)
		if err != nil {
			t.Fatal(err)
		}
		if g.G != nil || g.H != nil || g.A != nil || g.B != nil {
			t.Error("gradients for absent inputs")
		}
		// Q·dp = −dz for each item.
		for i := 0; i < 3; i++ {
			q := pr.Q
			if shared == 0 {
				q = q[i*49 : (i+1)*49]
			}
			r := make([]float64, 7)
			mulAdd(r, q, 7, 7, g.P[i*7:(i+1)*7], dz[i*7:(i+1)*7])
			if e := maxAbsOf(r); e > 1e-10 {
				t.Errorf("item %d: Q·dp + dz = %.3g, want 0", i, e)
			}
		}
	}
}

// testLinearProgram solves min pᵀz over the box −l ≤ z ≤ u (Q = 0, so the
// objective is strictly convex on no subspace: only the constraints pin z).
// The solution is the vertex z_i = u_i where p_i < 0 and −l_i where p_i > 0,
// and ∂(Σz)/∂h is +1 on the active upper bounds, −1 on the active lower
// ones and 0 elsewhere.
func testLinearProgram(t *testing.T, s qp.Solver) {
	const n = 6
	pr := &qp.Problem{N: n, M: 2 * n, Q: make([]float64, n*n), G: make([]float64, 2*n*n)}
	for i := 0; i < n; i++ {
		pr.P = append(pr.P, float64(i)-2.5)
		pr.G[i*n+i], pr.G[(n+i)*n+i] = 1, -1
	}
	for i := 0; i < 2*n; i++ {
		pr.H = append(pr.H, 1+0.25*float64(i))
	}
	sol, err := s.Solve(context.Background(), pr, qp.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ones := make([]float64, n)
	for i := range ones {
		ones[i] = 1
	}
	g, err := s.Backward(context.Background(), sol, ones)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		want, up, lo := pr.H[i], 1.0, 0.0
		if pr.P[i] > 0 {
			want, up, lo = -pr.H[n+i], 0, -1
		}
		if math.Abs(sol.Z[i]-want) > 1e-9 {
			t.Errorf("z[%d] = %.12g, want %g", i, sol.Z[i], want)
		}
		if math.Abs(g.H[i]-up) > 1e-9 || math.Abs(g.H[n+i]-lo) > 1e-9 {
			t.Errorf("dh for variable %d = (%.3g, %.3g), want (%g, %g)", i, g.H[i], g.H[n+i], up, lo)
		}
	}
}

func testErrors(t *testing.T, s qp.Solver) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(7, 8))

	t.Run("Infeasible", func(t *testing.T) {
		pr, _ := Random(rng, Config{B: 5, N: 3, M: 4, K: 1, Planted: true})
		// Item 1 gets z₀ ≤ −1 and −z₀ ≤ −1; item 3 gets z₀ = 5 and z₀ ≤ 1.
		g := pr.G[1*12 : 2*12]
		clear(g[:6])
		g[0], g[3] = 1, -1
		pr.H[1*4], pr.H[1*4+1] = -1, -1
		g = pr.G[3*12 : 4*12]
		clear(g[:3])
		g[0], pr.H[3*4] = 1, 1
		a := pr.A[3*3 : 4*3]
		a[0], a[1], a[2], pr.B[3] = 1, 0, 0, 5
		checkItems(t, s, pr, qp.ErrInfeasible, []int{1, 3})
	})
	t.Run("NotConvex", func(t *testing.T) {
		pr, _ := Random(rng, Config{B: 4, N: 4, M: 3, Planted: true})
		pr.Q[2*16+0] = -5 // item 2: Q₀₀ < 0
		checkItems(t, s, pr, qp.ErrNotConvex, []int{2})
	})
	t.Run("NotStrictlyConvex", func(t *testing.T) {
		// Q = 0 and a single constraint: unbounded or non-unique.
		pr := &qp.Problem{N: 2, M: 1, Q: make([]float64, 4), P: []float64{1, 1}, G: []float64{-1, 0}, H: []float64{0}}
		if _, err := s.Solve(ctx, pr, qp.Options{}); !errors.Is(err, qp.ErrNotConvex) {
			t.Errorf("got %v, want ErrNotConvex", err)
		}
	})
	t.Run("NonFinite", func(t *testing.T) {
		pr, _ := Random(rng, Config{B: 4, N: 3, M: 2, K: 1, Planted: true})
		pr.P[1*3+2] = math.NaN()
		pr.H[3*2] = math.Inf(1)
		checkItems(t, s, pr, qp.ErrNonFinite, []int{1, 3})
		pr2, _ := Random(rng, Config{B: 3, N: 3, M: 2, Shared: qp.InputG})
		pr2.G[0] = math.Inf(-1)
		checkItems(t, s, pr2, qp.ErrNonFinite, []int{0, 1, 2})
	})
	t.Run("RankDeficient", func(t *testing.T) {
		pr, _ := Random(rng, Config{B: 2, N: 4, M: 2, K: 2, Planted: true})
		copy(pr.A[8+4:8+8], pr.A[8:8+4]) // item 1: two equal rows
		pr.B[3] = pr.B[2]
		checkItems(t, s, pr, qp.ErrRankDeficient, []int{1})
	})
	t.Run("Shapes", func(t *testing.T) {
		good := func() *qp.Problem {
			p, _ := Random(rng, Config{B: 2, N: 3, M: 2, K: 1})
			return p
		}
		bad := map[string]func(p *qp.Problem){
			"short Q":         func(p *qp.Problem) { p.Q = p.Q[:17] },
			"batch mismatch":  func(p *qp.Problem) { p.P = p.P[:3] },
			"G without h":     func(p *qp.Problem) { p.H = nil },
			"A without b":     func(p *qp.Problem) { p.B = nil },
			"b without A":     func(p *qp.Problem) { p.A = nil },
			"G with M=0":      func(p *qp.Problem) { p.M = 0 },
			"M wrong":         func(p *qp.Problem) { p.M = 3 },
			"N zero":          func(p *qp.Problem) { p.N = 0 },
			"Batch wrong":     func(p *qp.Problem) { p.Batch = 3 },
			"shared Q wrong":  func(p *qp.Problem) { p.Shared |= qp.InputQ },
			"nil Q":           func(p *qp.Problem) { p.Q = nil },
			"negative K":      func(p *qp.Problem) { p.K = -1 },
			"K without A":     func(p *qp.Problem) { p.A, p.B = nil, nil },
			"empty batched p": func(p *qp.Problem) { p.P = []float64{} },
		}
		for name, mutate := range bad {
			p := good()
			mutate(p)
			sol, err := s.Solve(ctx, p, qp.Options{})
			if !errors.Is(err, qp.ErrShape) || sol != nil {
				t.Errorf("%s: got (%v, %v), want ErrShape", name, sol != nil, err)
			}
		}
		p := good()
		sol, err := s.Solve(ctx, p, qp.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Backward(ctx, sol, make([]float64, 5)); !errors.Is(err, qp.ErrShape) {
			t.Errorf("Backward with short dz: %v, want ErrShape", err)
		}
	})
	t.Run("ShapeFuzz", func(t *testing.T) {
		// Random, mostly inconsistent, sizes: never a panic; any error is
		// ErrShape (or a per-item failure of a well-formed problem).
		frng := rand.New(rand.NewPCG(10, 10))
		for trial := 0; trial < 300; trial++ {
			pr := &qp.Problem{
				Batch: frng.IntN(4) - 1,
				N:     frng.IntN(4) - 1, M: frng.IntN(4) - 1, K: frng.IntN(3) - 1,
				Shared: qp.Input(frng.IntN(64)),
			}
			vec := func() []float64 {
				if frng.IntN(5) == 0 {
					return nil
				}
				return randMat(frng, 1, frng.IntN(40))
			}
			pr.Q, pr.P, pr.G, pr.H, pr.A, pr.B = vec(), vec(), vec(), vec(), vec(), vec()
			func() {
				defer func() {
					if r := recover(); r != nil {
						t.Fatalf("panic on %+v: %v", pr, r)
					}
				}()
				sol, err := s.Solve(ctx, pr, qp.Options{OnFailure: qp.FailNaN})
				var se *qp.SolveError
				if err != nil && !errors.Is(err, qp.ErrShape) && !errors.As(err, &se) {
					t.Fatalf("%+v: unexpected error %v", pr, err)
				}
				if sol != nil {
					if _, err := s.Backward(ctx, sol, make([]float64, len(sol.Z))); err != nil {
						t.Fatalf("%+v: Backward: %v", pr, err)
					}
				}
			}()
		}
	})
	t.Run("Cancel", func(t *testing.T) {
		pr, _ := Random(rng, Config{B: 64, N: 30, M: 30, K: 5})
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if sol, err := s.Solve(cctx, pr, qp.Options{}); !errors.Is(err, context.Canceled) || sol != nil {
			t.Errorf("Solve with a cancelled context: (%v, %v)", sol != nil, err)
		}
		sol, err := s.Solve(ctx, pr, qp.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if g, err := s.Backward(cctx, sol, make([]float64, 64*30)); !errors.Is(err, context.Canceled) || g != nil {
			t.Errorf("Backward with a cancelled context: (%v, %v)", g != nil, err)
		}
		// Cancelled while running: a batch that takes far longer than the
		// deadline must stop with the context's error.
		big, _ := Random(rng, Config{B: 3000, N: 40, M: 40, K: 5, Shared: qp.InputQ | qp.InputG | qp.InputA})
		dctx, stop := context.WithTimeout(ctx, 5*time.Millisecond)
		defer stop()
		start := time.Now()
		if sol, err := s.Solve(dctx, big, qp.Options{}); !errors.Is(err, context.DeadlineExceeded) || sol != nil {
			t.Errorf("Solve past its deadline: (%v, %v) after %v", sol != nil, err, time.Since(start))
		}
	})
}

// checkItems solves pr in both failure modes and checks that exactly the
// items want fail with reason sentinel, and that with FailNaN the other
// items are solved and the failed rows are NaN.
func checkItems(t *testing.T, s qp.Solver, pr *qp.Problem, sentinel error, want []int) {
	t.Helper()
	ctx := context.Background()
	sol, err := s.Solve(ctx, pr, qp.Options{})
	if sol != nil {
		t.Error("FailError mode returned a solution")
	}
	var se *qp.SolveError
	if !errors.As(err, &se) {
		t.Fatalf("got %v, want a *qp.SolveError", err)
	}
	if !errors.Is(err, sentinel) {
		t.Errorf("error %q does not wrap %v", err, sentinel)
	}
	var got []int
	for _, it := range se.Items {
		got = append(got, it.Item)
		if !errors.Is(it.Reason, sentinel) {
			t.Errorf("item %d: reason %v, want %v", it.Item, it.Reason, sentinel)
		}
	}
	if !equalInts(got, want) {
		t.Errorf("failed items %v, want %v (error: %v)", got, want, err)
	}
	if !strings.Contains(err.Error(), sentinel.Error()) {
		t.Errorf("message %q does not name the reason", err)
	}
	sol, err = s.Solve(ctx, pr, qp.Options{OnFailure: qp.FailNaN})
	if !errors.Is(err, sentinel) || sol == nil {
		t.Fatalf("FailNaN: got (%v, %v)", sol != nil, err)
	}
	nb := len(sol.Status)
	for i := 0; i < nb; i++ {
		failed := containsInt(want, i)
		if failed != (sol.Status[i] != nil) {
			t.Errorf("item %d: status %v", i, sol.Status[i])
		}
		z := sol.Z[i*pr.N : (i+1)*pr.N]
		if failed {
			if !math.IsNaN(z[0]) {
				t.Errorf("item %d failed but z is not NaN", i)
			}
			continue
		}
		if r := Residuals(pr, sol, i); r.Max() > 1e-9 {
			t.Errorf("item %d: residuals %+v", i, r)
		}
	}
	// Backward works for the others and gives NaN rows for failed items.
	g, err := s.Backward(ctx, sol, make([]float64, nb*pr.N))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < nb; i++ {
		if pr.Shared&qp.InputP != 0 {
			break
		}
		if isNaN := math.IsNaN(g.P[i*pr.N]); isNaN != containsInt(want, i) {
			t.Errorf("item %d: dp NaN = %v", i, isNaN)
		}
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func containsInt(x []int, v int) bool {
	for _, y := range x {
		if y == v {
			return true
		}
	}
	return false
}

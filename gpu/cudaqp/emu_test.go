package cudaqp

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/ebitengine/purego"
	"github.com/optnet-go/optnet/gpu"
	"github.com/optnet-go/optnet/gpu/cuda"
	"github.com/optnet-go/optnet/ops/qp"
	"github.com/optnet-go/optnet/ops/qp/qptest"
)

// result is everything a solve and its backward produce.
type result struct {
	z, lam, nu, s          []float64
	gq, gp, gg, gh, ga, gb []float64
	iters                  []int
}

func solveAll(t *testing.T, s qp.Solver, pr *qp.Problem, dz []float64) result {
	t.Helper()
	ctx := context.Background()
	sol, err := s.Solve(ctx, pr, qp.Options{OnFailure: qp.FailNaN})
	if sol == nil {
		t.Fatal(err)
	}
	defer sol.Release()
	g, err := s.Backward(ctx, sol, dz)
	if err != nil {
		t.Fatal(err)
	}
	return result{sol.Z, sol.Lam, sol.Nu, sol.S, g.Q, g.P, g.G, g.H, g.A, g.B, sol.Iterations}
}

func (r result) arrays() [][]float64 {
	return [][]float64{r.z, r.lam, r.nu, r.s, r.gq, r.gp, r.gg, r.gh, r.ga, r.gb}
}

func identical(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) && !(math.IsNaN(a[i]) && math.IsNaN(b[i])) {
			return false
		}
	}
	return true
}

// emuProblems are small problems that take both reductions, shared and
// batched inputs, equalities and the backward's active set.
func emuProblems() []*qp.Problem {
	rng := rand.New(rand.NewPCG(21, 22))
	var ps []*qp.Problem
	for _, c := range []qptest.Config{
		{B: 3, N: 9, M: 7, K: 2, Planted: true},
		{B: 3, N: 7, M: 8, K: 1, PSD: true, Planted: true},
		{B: 4, N: 6, M: 5, K: 2, Shared: qp.InputQ | qp.InputG | qp.InputA, Planted: true},
		{B: 2, N: 40, M: 45, K: 3, Planted: true},
	} {
		p, _ := qptest.Random(rng, c)
		ps = append(ps, p)
	}
	return ps
}

// TestScheduleIndependent runs the same solves under different fiber
// schedules of the fake driver: any race between threads of a block (a
// missing __syncthreads) makes results depend on the schedule. Fake driver
// only.
func TestScheduleIndependent(t *testing.T) {
	s := newSolver(t)
	if !emulated() {
		t.Skip("needs the fake driver (FAKECUDA_SEED)")
	}
	defer os.Setenv("FAKECUDA_SEED", os.Getenv("FAKECUDA_SEED"))
	for pi, pr := range emuProblems() {
		dz := randVec(rand.New(rand.NewPCG(uint64(pi), 1)), pr.N*pr.Batch)
		os.Setenv("FAKECUDA_SEED", "1")
		base := solveAll(t, s, pr, dz)
		for _, seed := range []string{"2", "12345"} {
			os.Setenv("FAKECUDA_SEED", seed)
			r := solveAll(t, s, pr, dz)
			for i, a := range r.arrays() {
				if !identical(a, base.arrays()[i]) {
					t.Errorf("problem %d: array %d differs between schedules 1 and %s", pi, i, seed)
				}
			}
		}
	}
}

// TestGlobalArena forces the per-item buffers into global memory (the path
// of problems too large for shared memory): results must be bit-identical.
func TestGlobalArena(t *testing.T) {
	s := newSolver(t)
	g := &Solver{d: s.d, sharedLimit: 2048}
	for pi, pr := range emuProblems() {
		dz := randVec(rand.New(rand.NewPCG(uint64(pi), 2)), pr.N*pr.Batch)
		a, b := solveAll(t, s, pr, dz), solveAll(t, g, pr, dz)
		for i := range a.arrays() {
			if !identical(a.arrays()[i], b.arrays()[i]) {
				t.Errorf("problem %d: array %d differs between shared and global arenas", pi, i)
			}
		}
	}
}

// TestBlockSizes solves with 1, 2, 3 and 8 warps per block: only the order
// of the block reductions changes, so results agree to rounding.
func TestBlockSizes(t *testing.T) {
	s := newSolver(t)
	for pi, pr := range emuProblems() {
		dz := randVec(rand.New(rand.NewPCG(uint64(pi), 3)), pr.N*pr.Batch)
		base := solveAll(t, &Solver{d: s.d, threads: 32}, pr, dz)
		for _, th := range []int{64, 96, 256} {
			r := solveAll(t, &Solver{d: s.d, threads: th}, pr, dz)
			for i := range r.arrays() {
				if d := scaledDiff(r.arrays()[i], base.arrays()[i]); d > 1e-9 {
					t.Errorf("problem %d, %d threads: array %d differs by %.3g", pi, th, i, d)
				}
			}
		}
	}
}

// TestForcedPaths: the dual and primal reductions give the same answers as
// the CPU solver (which picks by cost) on positive definite problems.
func TestForcedPaths(t *testing.T) {
	s := newSolver(t)
	rng := rand.New(rand.NewPCG(23, 24))
	for _, path := range []int{1, 2} {
		for _, c := range []qptest.Config{
			{B: 3, N: 8, M: 6, K: 2, Planted: true},
			{B: 3, N: 4, M: 30, K: 1, Planted: true},
			{B: 3, N: 6, M: 5, K: 2, Shared: qp.InputQ | qp.InputG | qp.InputA, Planted: true},
		} {
			pr, _ := qptest.Random(rng, c)
			compareSolvers(t, &Solver{d: s.d, forcePath: path}, pr, randVec(rng, c.B*c.N))
		}
	}
}

// TestRelease: Release frees the device memory of a Solution, Backward then
// refuses it, and a solve leaves no allocations behind. Fake driver only
// (it counts allocations).
func TestRelease(t *testing.T) {
	s := newSolver(t)
	if !emulated() {
		t.Skip("needs the fake driver's allocation count")
	}
	h, err := purego.Dlopen(os.Getenv(cuda.LibraryEnv), purego.RTLD_NOW|purego.RTLD_LOCAL)
	if err != nil {
		t.Fatal(err)
	}
	var live func() int32
	purego.RegisterLibFunc(&live, h, "fakecuda_live_allocs")
	before := live()
	pr := emuProblems()[0]
	ctx := context.Background()
	sol, err := s.Solve(ctx, pr, qp.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if live() <= before {
		t.Fatal("the Solution holds no device memory")
	}
	sol.Release()
	sol.Release() // twice is fine
	if got := live(); got != before {
		t.Errorf("%d allocations live after Release, want %d", got, before)
	}
	if _, err := s.Backward(ctx, sol, make([]float64, pr.N*pr.Batch)); err == nil {
		t.Error("Backward accepted a released Solution")
	}
	// A failed solve (FailError) frees everything itself.
	bad, _ := qptest.Random(rand.New(rand.NewPCG(1, 1)), qptest.Config{B: 2, N: 3, M: 2, Planted: true})
	bad.Q[0] = -1
	if _, err := s.Solve(ctx, bad, qp.Options{}); err == nil {
		t.Fatal("want an error")
	}
	if got := live(); got != before {
		t.Errorf("%d allocations live after a failed solve, want %d", got, before)
	}
}

// TestNoDevice: a driver that reports no device makes Describe (and so
// gpu.Available and New) fail with cuda.ErrUnavailable. Fake driver only.
func TestNoDevice(t *testing.T) {
	if !emulated() {
		t.Skip("needs the fake driver (FAKECUDA_DEVICES)")
	}
	defer os.Setenv("FAKECUDA_DEVICES", os.Getenv("FAKECUDA_DEVICES"))
	os.Setenv("FAKECUDA_DEVICES", "0")
	drv, err := cuda.Open(os.Getenv(cuda.LibraryEnv))
	if err != nil {
		t.Fatal(err)
	}
	_, err = gpu.Describe(drv)
	if !isUnavailable(err) {
		t.Errorf("Describe with no device: %v, want cuda.ErrUnavailable", err)
	}
}

func isUnavailable(err error) bool { return err != nil && errors.Is(err, cuda.ErrUnavailable) }

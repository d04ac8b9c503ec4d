package qp_test

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/optnet-go/optnet/internal/linalg"
	"github.com/optnet-go/optnet/ops/qp"
	"github.com/optnet-go/optnet/ops/qp/qptest"
)

var portable = flag.Bool("qp.portable", false, "run the QP benchmarks with the portable Go kernels instead of the vector ones")

// kernels selects the kernel set for a benchmark and returns the restore
// function.
func kernels() func() {
	prev := linalg.SetAccelerated(!*portable)
	return func() { linalg.SetAccelerated(prev) }
}

// benchProblem is one benchmark shape.
type benchProblem struct {
	name string
	make func(rng *rand.Rand) *qp.Problem
}

func randomShape(b, n, m, k int, shared qp.Input) func(rng *rand.Rand) *qp.Problem {
	return func(rng *rand.Rand) *qp.Problem {
		pr, _ := qptest.Random(rng, qptest.Config{B: b, N: n, M: m, K: k, Shared: shared})
		return pr
	}
}

// sudokuShape is the shape of the sudoku experiment: Q = 0.1·I, G = −I,
// h = 0, A ∈ U[0,1)^{40×64}, b = A·1, p = −(one-hot), with Q, G, h, A, b
// shared unless batched is set.
func sudokuShape(batched bool) func(rng *rand.Rand) *qp.Problem {
	return func(rng *rand.Rand) *qp.Problem {
		const nb, n, m, k = 150, 64, 64, 40
		q, g, h := make([]float64, n*n), make([]float64, m*n), make([]float64, m)
		for i := 0; i < n; i++ {
			q[i*n+i], g[i*n+i] = 0.1, -1
		}
		a, b := make([]float64, k*n), make([]float64, k)
		for r := 0; r < k; r++ {
			for j := 0; j < n; j++ {
				a[r*n+j] = rng.Float64()
				b[r] += a[r*n+j]
			}
		}
		p := make([]float64, nb*n)
		for i := 0; i < nb; i++ {
			p[i*n+rng.IntN(n)] = -1
		}
		pr := &qp.Problem{N: n, M: m, K: k, Q: q, P: p, G: g, H: h, A: a, B: b,
			Shared: qp.InputQ | qp.InputG | qp.InputH | qp.InputA | qp.InputB}
		if batched {
			pr.Shared = 0
			pr.Q, pr.G, pr.H, pr.A, pr.B = nil, nil, nil, nil, nil
			for range nb {
				pr.Q = append(pr.Q, q...)
				pr.G = append(pr.G, g...)
				pr.H = append(pr.H, h...)
				pr.A = append(pr.A, a...)
				pr.B = append(pr.B, b...)
			}
		}
		return pr
	}
}

// denoiseShape is total-variation denoising of 150 signals of length 100
// (n = 199, m = 198, Q only semidefinite).
func denoiseShape(shared bool) func(rng *rand.Rand) *qp.Problem {
	return func(rng *rand.Rand) *qp.Problem {
		xs := make([][]float64, 150)
		for i := range xs {
			x := make([]float64, 100)
			level := rng.NormFloat64()
			for j := range x {
				if j%20 == 0 {
					level = rng.NormFloat64()
				}
				x[j] = level + 0.3*rng.NormFloat64()
			}
			xs[i] = x
		}
		return qptest.TotalVariation(xs, 0.5, shared)
	}
}

var benchProblems = func() []benchProblem {
	var ps []benchProblem
	for _, s := range []struct{ b, n, m, k int }{{128, 10, 10, 0}, {128, 50, 50, 0}, {128, 100, 100, 0}, {128, 100, 100, 20}} {
		name := fmt.Sprintf("B%d_n%d_m%d", s.b, s.n, s.m)
		if s.k > 0 {
			name += fmt.Sprintf("_k%d", s.k)
		}
		ps = append(ps,
			benchProblem{name + "/batched", randomShape(s.b, s.n, s.m, s.k, 0)},
			benchProblem{name + "/sharedQG", randomShape(s.b, s.n, s.m, s.k, qp.InputQ|qp.InputG|qp.InputA)})
	}
	return append(ps,
		benchProblem{"sudoku_B150_n64_m64_k40/batched", sudokuShape(true)},
		benchProblem{"sudoku_B150_n64_m64_k40/sharedQG", sudokuShape(false)},
		benchProblem{"denoise_B150_n199_m198/batched", denoiseShape(false)},
		benchProblem{"denoise_B150_n199_m198/sharedQG", denoiseShape(true)},
	)
}()

// BenchmarkSolve measures the forward pass (Solve) per batch.
func BenchmarkSolve(b *testing.B) {
	for _, bp := range benchProblems {
		b.Run(bp.name, func(b *testing.B) {
			defer kernels()()
			pr := bp.make(rand.New(rand.NewPCG(1, 2)))
			ctx := context.Background()
			var iters float64
			b.ReportAllocs()
			cpu0 := cpuNanos()
			for b.Loop() {
				sol, err := qp.Solve(ctx, pr, qp.Options{})
				if err != nil {
					b.Fatal(err)
				}
				iters = meanIters(sol)
			}
			reportCPU(b, cpu0)
			b.ReportMetric(iters, "iters/item")
		})
	}
}

// BenchmarkSolveBackward measures Solve followed by Backward per batch.
func BenchmarkSolveBackward(b *testing.B) {
	for _, bp := range benchProblems {
		b.Run(bp.name, func(b *testing.B) {
			defer kernels()()
			rng := rand.New(rand.NewPCG(1, 2))
			pr := bp.make(rng)
			ctx := context.Background()
			sol, err := qp.Solve(ctx, pr, qp.Options{})
			if err != nil {
				b.Fatal(err)
			}
			dz := make([]float64, len(sol.Z))
			for i := range dz {
				dz[i] = rng.NormFloat64()
			}
			var iters float64
			b.ReportAllocs()
			cpu0 := cpuNanos()
			for b.Loop() {
				sol, err := qp.Solve(ctx, pr, qp.Options{})
				if err != nil {
					b.Fatal(err)
				}
				if _, err := qp.Backward(ctx, sol, dz); err != nil {
					b.Fatal(err)
				}
				iters = meanIters(sol)
			}
			reportCPU(b, cpu0)
			b.ReportMetric(iters, "iters/item")
		})
	}
}

// BenchmarkBackward measures Backward alone on a solved batch.
func BenchmarkBackward(b *testing.B) {
	for _, bp := range benchProblems {
		b.Run(bp.name, func(b *testing.B) {
			defer kernels()()
			rng := rand.New(rand.NewPCG(1, 2))
			pr := bp.make(rng)
			ctx := context.Background()
			sol, err := qp.Solve(ctx, pr, qp.Options{})
			if err != nil {
				b.Fatal(err)
			}
			dz := make([]float64, len(sol.Z))
			for i := range dz {
				dz[i] = rng.NormFloat64()
			}
			b.ReportAllocs()
			cpu0 := cpuNanos()
			for b.Loop() {
				if _, err := qp.Backward(ctx, sol, dz); err != nil {
					b.Fatal(err)
				}
			}
			reportCPU(b, cpu0)
		})
	}
}

// reportCPU reports the process CPU time per op since cpu0 (all worker
// goroutines together).
func reportCPU(b *testing.B, cpu0 int64) {
	if cpu0 > 0 && b.N > 0 {
		b.ReportMetric(float64(cpuNanos()-cpu0)/float64(b.N), "cpu-ns/op")
	}
}

func meanIters(sol *qp.Solution) float64 {
	s := 0
	for _, v := range sol.Iterations {
		s += v
	}
	return float64(s) / float64(len(sol.Iterations))
}

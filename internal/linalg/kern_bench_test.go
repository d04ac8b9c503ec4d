package linalg

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkKernels100 times, at n = 100 (the QP benchmarks' size), the
// kernels one interior-point iteration of the dual path is made of, with
// CPU time per op beside wall time.
func BenchmarkKernels100(b *testing.B) {
	const n = 100
	rng := rand.New(rand.NewPCG(1, 1))
	a := spd(rng, n, n)
	u := make([]float64, n*n)
	copy(u, a)
	Potrf(n, u, n)
	g := randSlice(rng, n*n)
	x := randSlice(rng, n)
	y := make([]float64, n)
	w := make([]float64, n*n)
	c := make([]float64, n*n)
	d := make([]float64, n)
	for i := range d {
		d[i] = 1
	}
	run := func(name string, f func()) {
		b.Run(name, func(b *testing.B) {
			cpu0 := cpuNanos()
			for b.Loop() {
				f()
			}
			b.ReportMetric(float64(cpuNanos()-cpu0)/float64(b.N), "cpu-ns/op")
		})
	}
	run("Potrf", func() { copy(c, a); Potrf(n, c, n) })
	run("PotrfShifted", func() { PotrfShifted(n, a, n, d, c, n) })
	run("SolveUT", func() { SolveUT(n, u, n, x) })
	run("SolveU", func() { SolveU(n, u, n, x) })
	run("Gemv", func() { Gemv(n, n, 1, g, n, x, y) })
	run("GemvT", func() { GemvT(n, n, 1, g, n, x, y) })
	run("SolveUTMulti", func() { copy(w, g); SolveUTMulti(n, n, u, n, w, n) })
	run("SyrkTN", func() { SyrkTN(n, n, 1, g, n, c, n) })
	run("copy", func() { copy(w, g) })
}

package linalg

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkPotrf factors SPD matrices of the sizes the QP benchmarks use,
// with each kernel set.
func BenchmarkPotrf(b *testing.B) {
	for _, n := range []int{64, 100, 199} {
		a := spd(rand.New(rand.NewPCG(1, 1)), n, n)
		u := make([]float64, n*n)
		for _, kind := range kernelSets() {
			b.Run(fmt.Sprintf("n%d/%s", n, kind.name), func(b *testing.B) {
				defer kind.set()()
				cpu0 := cpuNanos()
				for b.Loop() {
					copy(u, a)
					if !Potrf(n, u, n) {
						b.Fatal("not SPD")
					}
				}
				cpu := float64(cpuNanos()-cpu0) / float64(b.N)
				b.ReportMetric(cpu, "cpu-ns/op")
				b.ReportMetric(float64(n*n*n)/3/cpu, "Gflop/s(cpu)")
			})
		}
	}
}

// BenchmarkBandLU factors a band matrix of the shape of the QP backward's
// augmented total-variation system (n = 375, half bandwidth 6).
func BenchmarkBandLU(b *testing.B) {
	const n, kl = 375, 6
	ld := BandLULd(kl, kl)
	rng := rand.New(rand.NewPCG(1, 1))
	a := make([]float64, n*ld)
	for i := 0; i < n; i++ {
		for j := max(0, i-kl); j <= min(n-1, i+kl); j++ {
			a[i*ld+j-i+kl] = rng.NormFloat64()
		}
	}
	lu := make([]float64, len(a))
	piv := make([]int, n)
	x := make([]float64, n)
	cpu0 := cpuNanos()
	for b.Loop() {
		copy(lu, a)
		if !BandLU(n, kl, kl, lu, piv) {
			b.Fatal("singular")
		}
		BandLUSolve(n, kl, kl, lu, piv, x)
	}
	b.ReportMetric(float64(cpuNanos()-cpu0)/float64(b.N), "cpu-ns/op")
}

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

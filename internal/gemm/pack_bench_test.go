package gemm

import (
	"fmt"
	"testing"
)

func BenchmarkPack(b *testing.B) {
	const k, n = 256, 96
	src := make([]float32, k*n)
	dst := make([]float32, k*n+64*k)
	for _, nr := range []int{16, 32} {
		for _, tr := range []bool{false, true} {
			b.Run(fmt.Sprintf("B/nr%d/trans=%v", nr, tr), func(b *testing.B) {
				ld := n
				if tr {
					ld = k
				}
				for b.Loop() {
					packB(tr, src, ld, 0, 0, k, n, nr, dst, kernel32.asmPack)
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(k*n), "ns/elem")
			})
			b.Run(fmt.Sprintf("A/mr%d/trans=%v", nr/2-4+nr/32*4, tr), func(b *testing.B) {
				mr := 6
				if nr == 32 {
					mr = 12
				}
				ld := k
				if tr {
					ld = n
				}
				for b.Loop() {
					packA(tr, src, ld, 0, 0, n, k, mr, 1, dst, kernel32.asmPack)
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(k*n), "ns/elem")
			})
		}
	}
}

package gemm

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

type benchShape struct {
	name           string
	transA, transB bool
	m, n, k        int
}

func (s benchShape) label() string {
	t := func(b bool) string {
		if b {
			return "T"
		}
		return "N"
	}
	return fmt.Sprintf("%s_%dx%dx%d_%s%s", s.name, s.m, s.n, s.k, t(s.transA), t(s.transB))
}

// benchShapes are the products the runtime cares about. The MLP layers have
// batch 128; for a layer in→out, the forward pass is X·W (m=128, n=out,
// k=in), the input gradient dY·Wᵀ (m=128, n=in, k=out) and the weight
// gradient Xᵀ·dY (m=in, n=out, k=128). conv is the im2col product of a 3×3
// 64→64 convolution on 56×56.
var benchShapes = []benchShape{
	{name: "square", m: 256, n: 256, k: 256},
	{name: "square", m: 1024, n: 1024, k: 1024},
	{name: "mlp1fwd", m: 128, n: 256, k: 784},
	{name: "mlp1fwd", transB: true, m: 128, n: 256, k: 784},
	{name: "mlp1dX", transB: true, m: 128, n: 784, k: 256},
	{name: "mlp1dW", transA: true, m: 784, n: 256, k: 128},
	{name: "mlp2fwd", m: 128, n: 256, k: 256},
	{name: "mlp2dX", transB: true, m: 128, n: 256, k: 256},
	{name: "mlp2dW", transA: true, m: 256, n: 256, k: 128},
	{name: "mlp3fwd", m: 128, n: 10, k: 256},
	{name: "mlp3dX", transB: true, m: 128, n: 256, k: 10},
	{name: "mlp3dW", transA: true, m: 256, n: 10, k: 128},
	{name: "conv3x3", m: 64, n: 3136, k: 576},
}

type benchOperands[T float] struct {
	a, b, c       []T
	lda, ldb, ldc int
}

func newOperands[T float](s benchShape) benchOperands[T] {
	r := rand.New(rand.NewPCG(1, 1))
	lda, ldb := s.k, s.n
	if s.transA {
		lda = s.m
	}
	if s.transB {
		ldb = s.k
	}
	return benchOperands[T]{
		a: randSlice[T](r, s.m*s.k), b: randSlice[T](r, s.k*s.n), c: make([]T, s.m*s.n),
		lda: lda, ldb: ldb, ldc: s.n,
	}
}

func reportFlops(b *testing.B, s benchShape) {
	b.ReportMetric(2*float64(s.m)*float64(s.n)*float64(s.k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

func trans(t bool) blas.Transpose {
	if t {
		return blas.Trans
	}
	return blas.NoTrans
}

// BenchmarkSgemm measures Sgemm on the runtime's shapes, next to gonum's
// pure-Go Sgemm as a peer.
func BenchmarkSgemm(b *testing.B) {
	for _, s := range benchShapes {
		o := newOperands[float32](s)
		b.Run(s.label()+"/optnet", func(b *testing.B) {
			for b.Loop() {
				Sgemm(s.transA, s.transB, s.m, s.n, s.k, 1, o.a, o.lda, o.b, o.ldb, 0, o.c, o.ldc)
			}
			reportFlops(b, s)
		})
		b.Run(s.label()+"/gonum", func(b *testing.B) {
			var impl gonum.Implementation
			for b.Loop() {
				impl.Sgemm(trans(s.transA), trans(s.transB), s.m, s.n, s.k, 1, o.a, o.lda, o.b, o.ldb, 0, o.c, o.ldc)
			}
			reportFlops(b, s)
		})
	}
}

// BenchmarkDgemm is BenchmarkSgemm for float64.
func BenchmarkDgemm(b *testing.B) {
	for _, s := range benchShapes {
		o := newOperands[float64](s)
		b.Run(s.label()+"/optnet", func(b *testing.B) {
			for b.Loop() {
				Dgemm(s.transA, s.transB, s.m, s.n, s.k, 1, o.a, o.lda, o.b, o.ldb, 0, o.c, o.ldc)
			}
			reportFlops(b, s)
		})
		b.Run(s.label()+"/gonum", func(b *testing.B) {
			var impl gonum.Implementation
			for b.Loop() {
				impl.Dgemm(trans(s.transA), trans(s.transB), s.m, s.n, s.k, 1, o.a, o.lda, o.b, o.ldb, 0, o.c, o.ldc)
			}
			reportFlops(b, s)
		})
	}
}

// BenchmarkKernels compares the micro-kernels available on this machine on
// one and on all cores.
func BenchmarkKernels(b *testing.B) {
	shapes := []benchShape{benchShapes[0], benchShapes[2], benchShapes[12]}
	for _, s := range shapes {
		o32, o64 := newOperands[float32](s), newOperands[float64](s)
		for _, workers := range []int{1, maxWorkers()} {
			for _, kn := range kernels32() {
				b.Run(fmt.Sprintf("%s/f32/%s/w%d", s.label(), kn.name, workers), func(b *testing.B) {
					for b.Loop() {
						kn.gemm(s.transA, s.transB, s.m, s.n, s.k, 1, o32.a, o32.lda, o32.b, o32.ldb, 0, o32.c, o32.ldc, workers)
					}
					reportFlops(b, s)
				})
			}
			for _, kn := range kernels64() {
				b.Run(fmt.Sprintf("%s/f64/%s/w%d", s.label(), kn.name, workers), func(b *testing.B) {
					for b.Loop() {
						kn.gemm(s.transA, s.transB, s.m, s.n, s.k, 1, o64.a, o64.lda, o64.b, o64.ldb, 0, o64.c, o64.ldc, workers)
					}
					reportFlops(b, s)
				})
			}
		}
	}
}

package std

import (
	"math"
	"math/rand"
	"testing"

	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestGlobalPools(t *testing.T) {
	rng := rand.New(rand.NewSource(14))
	x := randF64(rng, -1, 1, 2, 3, 4, 5)
	xd := nnF64s(x)
	mean, mx, l2 := make([]float64, 6), make([]float64, 6), make([]float64, 6)
	for p := 0; p < 6; p++ {
		mx[p] = math.Inf(-1)
		for _, v := range xd[p*20 : (p+1)*20] {
			mean[p] += v / 20
			mx[p] = math.Max(mx[p], v)
			l2[p] += v * v
		}
		l2[p] = math.Sqrt(l2[p])
	}
	shape := []int{2, 3, 1, 1}
	assertClose(t, runOp(t, "GlobalAveragePool", 1, nil, 1, x)[0], nnF64Tensor(shape, mean), 1e-12, 1e-12)
	assertClose(t, runOp(t, "GlobalMaxPool", 1, nil, 1, x)[0], nnF64Tensor(shape, mx), 0, 0)
	assertClose(t, runOp(t, "GlobalLpPool", 2, nil, 1, x)[0], nnF64Tensor(shape, l2), 1e-12, 1e-12)
	assertClose(t, runOp(t, "GlobalAveragePool", 1, nil, 1, nnCast(x, tensor.Float16))[0], nnF64Tensor(shape, mean), 1e-2, 1e-3)
	gradCheck(t, "GlobalAveragePool", 1, nil, []*tensor.Tensor{x}, 0)
	gradCheck(t, "GlobalAveragePool", 1, nil, []*tensor.Tensor{randF64(rng, -1, 1, 2, 3, 4)}, 0)
}

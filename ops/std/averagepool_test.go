package std

import (
	"math/rand"
	"testing"

	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestAveragePoolMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewSource(12))
	for _, c := range poolCases {
		x := randF64(rng, -1, 1, c.x...)
		want, _ := refPool(x, c, "avg")
		assertClose(t, runOp(t, "AveragePool", 19, c.attrs(), 1, x)[0], want, 1e-12, 1e-12)
		assertClose(t, runOp(t, "AveragePool", 19, c.attrs(), 1, nnCast(x, tensor.Float32))[0], want, 1e-5, 1e-6)
		gradCheck(t, "AveragePool", 19, c.attrs(), []*tensor.Tensor{x}, 0)
	}
}

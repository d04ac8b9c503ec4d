package std

import (
	"math"
	"math/rand"
	"testing"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestLpPoolMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewSource(13))
	for _, c := range poolCases {
		if c.includePad {
			continue
		}
		x := randF64(rng, -1, 1, c.x...)
		want, _ := refPool(x, c, "lp2")
		assertClose(t, runOp(t, "LpPool", 18, append(c.attrs(), attrInt("p", 2)), 1, x)[0], want, 1e-12, 1e-12)
	}
	// p = 3 and the opset-1 float p, by hand: (|1|³+|-2|³)^(1/3) = 9^(1/3).
	x := tensor.MustFromSlice([]int{1, 1, 2}, []float32{1, -2})
	for _, a := range []runtime.Attribute{attrInt("p", 3), attrFloat("p", 3)} {
		y := runOp(t, "LpPool", 11, attrsOf(attrInts("kernel_shape", 2), a), 1, x)[0]
		assertClose(t, y, tensor.MustFromSlice([]int{1, 1, 1}, []float32{float32(math.Cbrt(9))}), 1e-6, 0)
	}
}

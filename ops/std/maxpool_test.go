package std

import (
	"math"
	"math/rand"
	"testing"

	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestMaxPoolMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewSource(11))
	for i, c := range poolCases {
		if c.includePad {
			continue
		}
		x := randF64(rng, -1, 1, c.x...)
		want, wantArg := refPool(x, c, "max")
		out := runOp(t, "MaxPool", 12, c.attrs(), 2, x)
		assertClose(t, out[0], want, 0, 0)
		for j, v := range tensor.Data[int64](out[1]) {
			if v != wantArg[j] {
				t.Fatalf("case %d: indices %v, want %v", i, tensor.Data[int64](out[1]), wantArg)
			}
		}
		assertClose(t, runOp(t, "MaxPool", 12, c.attrs(), 1, nnCast(x, tensor.Float32))[0], want, 1e-7, 0)
		assertClose(t, runOp(t, "MaxPool", 12, c.attrs(), 1, nnCast(x, tensor.Float16))[0], want, 1e-3, 1e-3)
		gradCheck(t, "MaxPool", 12, c.attrs(), []*tensor.Tensor{x}, 0)
	}
}

func TestMaxPoolIntegersAndStorageOrder(t *testing.T) {
	x := tensor.MustFromSlice([]int{1, 1, 2, 3}, []uint8{1, 9, 3, 7, 5, 250})
	out := runOp(t, "MaxPool", 12, attrsOf(attrInts("kernel_shape", 2, 2), attrInt("storage_order", 1)), 2, x)
	if y := tensor.Data[uint8](out[0]); y[0] != 9 || y[1] != 250 {
		t.Fatalf("uint8 maxpool %v", y)
	}
	// Column-major indices of (0,1) and (1,2) in a 2×3 plane: 1·2+0, 2·2+1.
	if idx := tensor.Data[int64](out[1]); idx[0] != 2 || idx[1] != 5 {
		t.Fatalf("column-major indices %v, want [2 5]", idx)
	}
	xi := tensor.MustFromSlice([]int{1, 1, 3}, []int8{-5, -7, -100})
	y := runOp(t, "MaxPool", 12, attrsOf(attrInts("kernel_shape", 2), attrInts("pads", 1, 1)), 1, xi)[0]
	if d := tensor.Data[int8](y); len(d) != 4 || d[0] != -5 || d[1] != -5 || d[2] != -7 || d[3] != -100 {
		t.Fatalf("int8 maxpool with padding %v", d)
	}
	// A NaN in a window wins.
	xn := tensor.MustFromSlice([]int{1, 1, 3}, []float32{1, float32(math.NaN()), 2})
	yn := tensor.Data[float32](runOp(t, "MaxPool", 12, attrsOf(attrInts("kernel_shape", 2)), 1, xn)[0])
	if !math.IsNaN(float64(yn[0])) || !math.IsNaN(float64(yn[1])) {
		t.Fatalf("NaN should propagate: %v", yn)
	}
}

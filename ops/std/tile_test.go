package std

import (
	"math/rand"
	"testing"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestTileMatchesDefinition(t *testing.T) {
	shape := []int{2, 3, 1}
	x := iotaF64(shape...)
	reps := []int64{2, 1, 3}
	out := []int{4, 3, 3}
	want := make([]float64, 36)
	for p := range want {
		idx := unravel(p, out)
		for k := range idx {
			idx[k] %= shape[k]
		}
		want[p] = float64(ravel(idx, shape))
	}
	wantF64(t, runOp(t, "Tile", 13, nil, 1, x, i64(reps...))[0], out, want)
	// Opset 1: tiles and axis scalars.
	got := runOp(t, "Tile", 1, nil, 1, iotaF64(2), i64(3), i64(0))[0]
	wantF64(t, got, []int{6}, []float64{0, 1, 0, 1, 0, 1})
	// Zero repeats give an empty tensor.
	got = runOp(t, "Tile", 13, nil, 1, iotaF64(2), i64(0))[0]
	if got.Len() != 0 {
		t.Fatalf("zero repeats: %v", got)
	}
}

func TestTileErrors(t *testing.T) {
	x := iotaF64(2, 2)
	wantErr(t, runOpErr("Tile", 13, nil, 1, x, i64(2)), tensor.ErrShape)
	wantErr(t, runOpErr("Tile", 13, nil, 1, x, i64(2, -1)), tensor.ErrShape)
	wantErr(t, runOpErr("Tile", 13, nil, 1, x, i64(1_000_000, 1_000_000)), runtime.ErrTooLarge)
	wantErr(t, runOpErr("Tile", 13, nil, 1, x, i64(1<<62, 4)), tensor.ErrShape)
}

func TestTileInferShapes(t *testing.T) {
	k := &tileKernel{}
	wantFactShape(t, inferOne(t, k, shapeFact(tensor.Float32, 2, -1), runtime.FactOf(i64(3, 2)))[0], 6, -1)
}

func TestTileGradient(t *testing.T) {
	rng := rand.New(rand.NewSource(10))
	gradCheck(t, "Tile", 13, nil, []*tensor.Tensor{randF64(rng, -1, 1, 2, 3), i64(3, 2)}, 0)
}

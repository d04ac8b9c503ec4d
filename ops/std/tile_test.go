package std

import (
	"math/rand"
	"testing"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestTileMatchesDefinition(t *testing.T) {
	shape := []int{2, 3, 1}
	x := shpIota(shape...)
	reps := []int64{2, 1, 3}
	out := []int{4, 3, 3}
	want := make([]float64, 36)
	for p := range want {
		idx := shpUnravel(p, out)
		for k := range idx {
			idx[k] %= shape[k]
		}
		want[p] = float64(shpRavel(idx, shape))
	}
	shpWantF64(t, runOp(t, "Tile", 13, nil, 1, x, shpI64(reps...))[0], out, want)
	// Opset 1: tiles and axis scalars.
	got := runOp(t, "Tile", 1, nil, 1, shpIota(2), shpI64(3), shpI64(0))[0]
	shpWantF64(t, got, []int{6}, []float64{0, 1, 0, 1, 0, 1})
	// Zero repeats give an empty tensor.
	got = runOp(t, "Tile", 13, nil, 1, shpIota(2), shpI64(0))[0]
	if got.Len() != 0 {
		t.Fatalf("zero repeats: %v", got)
	}
}

func TestTileErrors(t *testing.T) {
	x := shpIota(2, 2)
	shpWantErr(t, runOpErr("Tile", 13, nil, 1, x, shpI64(2)), tensor.ErrShape)
	shpWantErr(t, runOpErr("Tile", 13, nil, 1, x, shpI64(2, -1)), tensor.ErrShape)
	shpWantErr(t, runOpErr("Tile", 13, nil, 1, x, shpI64(1_000_000, 1_000_000)), runtime.ErrTooLarge)
	shpWantErr(t, runOpErr("Tile", 13, nil, 1, x, shpI64(1<<62, 4)), tensor.ErrShape)
}

func TestTileInferShapes(t *testing.T) {
	k := &tileKernel{}
	shpWantShape(t, shpInfer(t, k, shpFact(tensor.Float32, 2, -1), runtime.FactOf(shpI64(3, 2)))[0], 6, -1)
}

func TestTileGradient(t *testing.T) {
	rng := rand.New(rand.NewSource(10))
	gradCheck(t, "Tile", 13, nil, []*tensor.Tensor{randF64(rng, -1, 1, 2, 3), shpI64(3, 2)}, 0)
}

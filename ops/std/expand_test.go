package std

import (
	"math/rand"
	"testing"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestExpandBidirectional(t *testing.T) {
	x := shpF64([]int{3, 1}, 1, 2, 3)
	shpWantF64(t, runOp(t, "Expand", 13, nil, 1, x, shpI64(2, 1, 2))[0], []int{2, 3, 2},
		[]float64{1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3})
	// A target smaller than the input keeps the input's dims.
	shpWantF64(t, runOp(t, "Expand", 13, nil, 1, x, shpI64(1))[0], []int{3, 1}, []float64{1, 2, 3})
	s := runOp(t, "Expand", 13, nil, 1, tensor.Scalar("s"), shpI64(2))[0]
	if d := tensor.Data[string](s); len(d) != 2 || d[1] != "s" {
		t.Fatalf("string expand %v", d)
	}
}

func TestExpandErrors(t *testing.T) {
	x := shpIota(3)
	shpWantErr(t, runOpErr("Expand", 13, nil, 1, x, shpI64(2)), tensor.ErrShape)
	shpWantErr(t, runOpErr("Expand", 13, nil, 1, x, shpI64(-1, 3)), tensor.ErrShape)
	shpWantErr(t, runOpErr("Expand", 13, nil, 1, tensor.Scalar(1.0), shpI64(1_000_000, 1_000_000)), runtime.ErrTooLarge)
}

func TestExpandInferShapes(t *testing.T) {
	shpWantShape(t, shpInfer(t, expandKernel{}, shpFact(tensor.Float32, 3, 1), runtime.FactOf(shpI64(2, 1, 4)))[0], 2, 3, 4)
	shpWantShape(t, shpInfer(t, expandKernel{}, shpFact(tensor.Float32, 3, 1), shpFact(tensor.Int64, 3))[0], -1, -1, -1)
}

func TestExpandGradient(t *testing.T) {
	rng := rand.New(rand.NewSource(9))
	gradCheck(t, "Expand", 13, nil, []*tensor.Tensor{randF64(rng, -1, 1, 3, 1), shpI64(2, 3, 4)}, 0)
}

package std

import (
	"math/rand"
	"testing"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestUnsqueezeVersions(t *testing.T) {
	x := shpIota(3, 2)
	data := tensor.Data[float64](x)
	shpWantF64(t, runOp(t, "Unsqueeze", 13, nil, 1, x, shpI64(3, 0))[0], []int{1, 3, 2, 1}, data)
	shpWantF64(t, runOp(t, "Unsqueeze", 13, nil, 1, x, shpI64(-1))[0], []int{3, 2, 1}, data)
	shpWantF64(t, runOp(t, "Unsqueeze", 11, attrsOf(attrInts("axes", 1, -1)), 1, x)[0], []int{3, 1, 2, 1}, data)
	shpWantF64(t, runOp(t, "Unsqueeze", 1, attrsOf(attrInts("axes", 0)), 1, x)[0], []int{1, 3, 2}, data)
	s := runOp(t, "Unsqueeze", 13, nil, 1, tensor.Scalar(2.5), shpI64(0))[0]
	shpWantF64(t, s, []int{1}, []float64{2.5})
}

func TestUnsqueezeErrors(t *testing.T) {
	x := shpIota(3, 2)
	shpWantErr(t, runOpErr("Unsqueeze", 13, nil, 1, x, shpI64(3)), tensor.ErrShape)
	shpWantErr(t, runOpErr("Unsqueeze", 13, nil, 1, x, shpI64(-4)), tensor.ErrShape)
	shpWantErr(t, runOpErr("Unsqueeze", 13, nil, 1, x, shpI64(0, 0)), tensor.ErrShape)
	shpWantErr(t, runOpErr("Unsqueeze", 11, nil, 1, x), runtime.ErrInvalidGraph)
}

func TestUnsqueezeInferShapes(t *testing.T) {
	k := &unsqueezeKernel{}
	shpWantShape(t, shpInfer(t, k, shpFact(tensor.Float32, -1, 4), runtime.FactOf(shpI64(0, 3)))[0], 1, -1, 4, 1)
	if f := shpInfer(t, k, shpFact(tensor.Float32, 2), shpFact(tensor.Int64, 1))[0]; f.HasShape {
		t.Fatal("non-constant axes must leave the shape unknown")
	}
}

func TestUnsqueezeGradient(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	gradCheck(t, "Unsqueeze", 13, nil, []*tensor.Tensor{randF64(rng, -1, 1, 3, 2), shpI64(1)}, 0)
}

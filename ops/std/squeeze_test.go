package std

import (
	"math/rand"
	"testing"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestSqueezeVersions(t *testing.T) {
	x := shpIota(1, 3, 1, 2)
	data := tensor.Data[float64](x)
	shpWantF64(t, runOp(t, "Squeeze", 13, nil, 1, x)[0], []int{3, 2}, data)
	shpWantF64(t, runOp(t, "Squeeze", 13, nil, 1, x, shpI64(-2))[0], []int{1, 3, 2}, data)
	shpWantF64(t, runOp(t, "Squeeze", 13, nil, 1, x, shpI64())[0], []int{3, 2}, data)
	shpWantF64(t, runOp(t, "Squeeze", 11, attrsOf(attrInts("axes", 0, -2)), 1, x)[0], []int{3, 2}, data)
	shpWantF64(t, runOp(t, "Squeeze", 1, attrsOf(attrInts("axes", 2)), 1, x)[0], []int{1, 3, 2}, data)
	shpWantF64(t, runOp(t, "Squeeze", 1, nil, 1, x)[0], []int{3, 2}, data)
	// All dims squeezed leaves a scalar.
	s := runOp(t, "Squeeze", 13, nil, 1, shpIota(1, 1))[0]
	if s.Rank() != 0 {
		t.Fatalf("scalar: %v", s)
	}
}

func TestSqueezeErrors(t *testing.T) {
	x := shpIota(1, 3)
	shpWantErr(t, runOpErr("Squeeze", 13, nil, 1, x, shpI64(1)), tensor.ErrShape)
	shpWantErr(t, runOpErr("Squeeze", 13, nil, 1, x, shpI64(2)), tensor.ErrShape)
	shpWantErr(t, runOpErr("Squeeze", 13, nil, 1, x, shpI64(0, 0)), tensor.ErrShape)
	shpWantErr(t, runOpErr("Squeeze", 13, nil, 1, x, tensor.MustFromSlice([]int{1}, []float32{0})), tensor.ErrDType)
}

func TestSqueezeInferShapes(t *testing.T) {
	k := &squeezeKernel{}
	shpWantShape(t, shpInfer(t, k, shpFact(tensor.Float32, 1, -1, 1), runtime.FactOf(shpI64(0)))[0], -1, 1)
	shpWantShape(t, shpInfer(t, k, shpFact(tensor.Float32, 1, 4, 1), runtime.Fact{Absent: true})[0], 4)
	// Without axes an unknown dim might be 1: rank unknown.
	if f := shpInfer(t, k, shpFact(tensor.Float32, 1, -1), runtime.Fact{Absent: true})[0]; f.HasShape {
		t.Fatalf("inferred %v from an unknown dim", f.Shape)
	}
	a := &squeezeKernel{attrAxes: []int64{-1}, fromAttr: true}
	shpWantShape(t, shpInfer(t, a, shpFact(tensor.Float32, 2, 1))[0], 2)
}

func TestSqueezeGradient(t *testing.T) {
	rng := rand.New(rand.NewSource(4))
	gradCheck(t, "Squeeze", 13, nil, []*tensor.Tensor{randF64(rng, -1, 1, 3, 1, 2), shpI64(1)}, 0)
}

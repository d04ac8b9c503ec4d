package std

import (
	"math/rand"
	"testing"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestFlattenAxes(t *testing.T) {
	x := shpIota(2, 3, 4)
	for axis, want := range map[int64][]int{0: {1, 24}, 1: {2, 12}, 2: {6, 4}, 3: {24, 1}, -1: {6, 4}, -3: {1, 24}} {
		got := runOp(t, "Flatten", 13, attrsOf(attrInt("axis", axis)), 1, x)[0]
		shpWantF64(t, got, want, tensor.Data[float64](x))
	}
	got := runOp(t, "Flatten", 13, nil, 1, x)[0]
	if !tensor.SameShape(got.Shape(), []int{2, 12}) {
		t.Fatalf("default axis: %v", got.Shape())
	}
}

func TestFlattenErrors(t *testing.T) {
	x := shpIota(2, 3)
	shpWantErr(t, runOpErr("Flatten", 13, attrsOf(attrInt("axis", 3)), 1, x), tensor.ErrShape)
	shpWantErr(t, runOpErr("Flatten", 13, attrsOf(attrInt("axis", -3)), 1, x), tensor.ErrShape)
	// Negative axes arrived in opset 11.
	shpWantErr(t, runOpErr("Flatten", 9, attrsOf(attrInt("axis", -1)), 1, x), tensor.ErrShape)
}

func TestFlattenInferShapes(t *testing.T) {
	k := &flattenKernel{axis: 2, negative: true}
	shpWantShape(t, shpInfer(t, k, shpFact(tensor.Float32, 2, 3, 4, 5))[0], 6, 20)
	shpWantShape(t, shpInfer(t, k, shpFact(tensor.Float32, 2, 3, -1, 5))[0], 6, -1)
	shpWantShape(t, shpInfer(t, k, runtime.Fact{DType: tensor.Float32})[0], -1, -1)
}

func TestFlattenGradient(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	gradCheck(t, "Flatten", 13, attrsOf(attrInt("axis", 2)), []*tensor.Tensor{randF64(rng, -1, 1, 2, 3, 2)}, 0)
}

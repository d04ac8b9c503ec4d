package std

import (
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// ScatterElements: a copy of data in which, for every position p of
// indices, the element at p with its axis coordinate replaced by
// indices[p] is set to updates[p] (later updates win) or, from opset 16,
// combined with it by the reduction attribute (add, mul). Negative indices
// count from the end. Opset 11; opset 13 only added dtypes; opset 16 adds
// reduction. Scatter (opsets 9-10, deprecated in 11) is the same without
// reduction.

func init() {
	register(
		&runtime.Op{Type: "ScatterElements", Since: 11, Inputs: [2]int{3, 3}, Outputs: [2]int{1, 1}, Build: buildScatterElements},
		&runtime.Op{Type: "ScatterElements", Since: 16, Inputs: [2]int{3, 3}, Outputs: [2]int{1, 1}, Build: buildScatterElements},
		&runtime.Op{Type: "Scatter", Since: 9, Inputs: [2]int{3, 3}, Outputs: [2]int{1, 1}, Build: buildScatterElements},
	)
}

type scatterElementsKernel struct {
	axis int64
	op   shpReduction
}

func buildScatterElements(b *runtime.BuildContext) (runtime.Kernel, error) {
	k := &scatterElementsKernel{axis: b.Int("axis", 0)}
	if b.Node.OpType == "ScatterElements" && b.Version >= 16 {
		k.op = shpParseReduction(b, b.String("reduction", "none"))
	}
	return k, b.Err()
}

func (k *scatterElementsKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	x, ind, upd := in[0], in[1], in[2]
	if upd.DType() != x.DType() {
		return nil, errDType("ScatterElements updates are %v, data is %v", upd.DType(), x.DType())
	}
	if !tensor.SameShape(upd.Shape(), ind.Shape()) {
		return nil, errShape("ScatterElements updates %v and indices %v differ in shape", upd.Shape(), ind.Shape())
	}
	off, err := shpElementsIndex(x, ind, k.axis, "ScatterElements")
	if err != nil {
		return nil, err
	}
	out := x.Clone()
	if err := shpScatter(out, upd, off, k.op); err != nil {
		return nil, err
	}
	return []*tensor.Tensor{out}, nil
}

// InferShapes: like the data.
func (k *scatterElementsKernel) InferShapes(in []runtime.Fact) ([]runtime.Fact, error) {
	return sameAsInput(0)(in)
}

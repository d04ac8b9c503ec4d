package std

import (
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// ScatterND: a copy of data in which each innermost row of indices
// (length k) addresses a slice data[i_1, ..., i_k, ...] that is replaced
// by the matching slice of updates (shape indices.shape[:-1] +
// data.shape[k:]) or, from opset 16, combined with it by the reduction
// attribute (add, mul). Negative indices count from the end. Opset 11;
// opset 13 only added dtypes; opset 16 adds reduction.

func init() {
	register(
		&runtime.Op{Type: "ScatterND", Since: 11, Inputs: [2]int{3, 3}, Outputs: [2]int{1, 1}, Build: buildScatterND},
		&runtime.Op{Type: "ScatterND", Since: 16, Inputs: [2]int{3, 3}, Outputs: [2]int{1, 1}, Build: buildScatterND},
	)
}

type scatterNDKernel struct{ op shpReduction }

func buildScatterND(b *runtime.BuildContext) (runtime.Kernel, error) {
	k := &scatterNDKernel{}
	if b.Version >= 16 {
		k.op = shpParseReduction(b, b.String("reduction", "none"))
	}
	return k, b.Err()
}

func (k *scatterNDKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	x, ind, upd := in[0], in[1], in[2]
	if upd.DType() != x.DType() {
		return nil, errDType("ScatterND updates are %v, data is %v", upd.DType(), x.DType())
	}
	offs, slice, shape, err := ndIndex(x, ind, 0, "ScatterND")
	if err != nil {
		return nil, err
	}
	if !tensor.SameShape(upd.Shape(), shape) {
		return nil, errShape("ScatterND updates have shape %v, want %v", upd.Shape(), shape)
	}
	idx := make([]int, 0, len(offs)*slice)
	for _, o := range offs {
		for j := 0; j < slice; j++ {
			idx = append(idx, o+j)
		}
	}
	out := x.Clone()
	if err := shpScatter(out, upd, idx, k.op); err != nil {
		return nil, err
	}
	return []*tensor.Tensor{out}, nil
}

// InferShapes: like the data.
func (k *scatterNDKernel) InferShapes(in []runtime.Fact) ([]runtime.Fact, error) {
	return sameAsInput(0)(in)
}

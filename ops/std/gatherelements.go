package std

import (
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// GatherElements: out[i_0, ..., i_r-1] = data[i_0, ..., indices[i_0, ...,
// i_r-1], ..., i_r-1] with the index replacing position axis; the output
// has the indices' shape. Negative indices count from the end. Opset 11;
// opset 13 only added dtypes.

func init() {
	register(&runtime.Op{Type: "GatherElements", Since: 11, Inputs: [2]int{2, 2}, Outputs: [2]int{1, 1}, Build: buildGatherElements})
}

type gatherElementsKernel struct{ axis int64 }

func buildGatherElements(b *runtime.BuildContext) (runtime.Kernel, error) {
	return &gatherElementsKernel{axis: b.Int("axis", 0)}, b.Err()
}

func (k *gatherElementsKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	x, ind := in[0], in[1]
	off, err := shpElementsIndex(x, ind, k.axis, "GatherElements")
	if err != nil {
		return nil, err
	}
	out, err := tensor.Zeros(x.DType(), ind.Shape()...)
	if err != nil {
		return nil, err
	}
	shpMustKit(x).take(out.Raw(), 0, x.Raw(), off)
	return []*tensor.Tensor{out}, nil
}

// InferShapes: the data's dtype, the indices' shape.
func (k *gatherElementsKernel) InferShapes(in []runtime.Fact) ([]runtime.Fact, error) {
	return []runtime.Fact{{DType: in[0].DType, Shape: in[1].Shape, HasShape: in[1].HasShape}}, nil
}

package std

import (
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// ConstantOfShape: a tensor of the shape given by a 1-D int64 input, every
// element the one value of the value attribute (default float32 0).
// Opset 9.

func init() {
	register(&runtime.Op{Type: "ConstantOfShape", Since: 9, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1}, Build: buildConstantOfShape})
}

type constantOfShapeKernel struct {
	value *tensor.Tensor // one element
}

func buildConstantOfShape(b *runtime.BuildContext) (runtime.Kernel, error) {
	v := b.Tensor("value")
	if v == nil {
		v = tensor.Scalar(float32(0))
	}
	if v.Len() != 1 {
		b.Errorf("ConstantOfShape value must hold one element, has shape %v", v.Shape())
	}
	return &constantOfShapeKernel{value: v}, b.Err()
}

func (k *constantOfShapeKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	s, err := shpInts(in[0], "ConstantOfShape shape")
	if err != nil {
		return nil, err
	}
	dims, err := shpDims(s, "ConstantOfShape shape")
	if err != nil {
		return nil, err
	}
	out, err := rc.Alloc(k.value.DType(), dims...)
	if err != nil {
		return nil, err
	}
	shpMustKit(out).fillN(out.Raw(), 0, out.Len(), k.value.Raw())
	return []*tensor.Tensor{out}, nil
}

// InferShapes: the value's dtype; the shape when the input is constant, or
// its rank when the input's length is known.
func (k *constantOfShapeKernel) InferShapes(in []runtime.Fact) ([]runtime.Fact, error) {
	out := runtime.Fact{DType: k.value.DType()}
	switch {
	case in[0].Value != nil:
		s, err := shpInts(in[0].Value, "ConstantOfShape shape")
		if err != nil {
			return nil, err
		}
		if out.Shape, err = shpDims(s, "ConstantOfShape shape"); err != nil {
			return nil, err
		}
		out.HasShape = true
	case in[0].HasShape && len(in[0].Shape) == 1 && in[0].Shape[0] >= 0:
		out.Shape, out.HasShape = make([]int, in[0].Shape[0]), true
		for i := range out.Shape {
			out.Shape[i] = -1
		}
	}
	return []runtime.Fact{out}, nil
}

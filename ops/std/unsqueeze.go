package std

import (
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// Unsqueeze: inserts size-1 dims at the given axes, which index the
// output (a view). Opset 1 takes axes as an attribute; opset 11 allows
// negative axes; opset 13 takes axes as a required input.

func init() {
	register(
		&runtime.Op{Type: "Unsqueeze", Since: 1, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1}, Build: buildUnsqueeze},
		&runtime.Op{Type: "Unsqueeze", Since: 11, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1}, Build: buildUnsqueeze},
		&runtime.Op{Type: "Unsqueeze", Since: 13, Inputs: [2]int{2, 2}, Outputs: [2]int{1, 1}, Build: buildUnsqueeze},
	)
}

type unsqueezeKernel struct {
	attrAxes []int64 // opsets 1-12
	fromAttr bool
}

func buildUnsqueeze(b *runtime.BuildContext) (runtime.Kernel, error) {
	k := &unsqueezeKernel{}
	if b.Version < 13 {
		if !b.HasAttr("axes") {
			b.Errorf("Unsqueeze needs the axes attribute")
		}
		k.attrAxes, k.fromAttr = b.Ints("axes", nil), true
	}
	return k, b.Err()
}

func (k *unsqueezeKernel) axes(in []*tensor.Tensor) ([]int64, error) {
	if k.fromAttr {
		return k.attrAxes, nil
	}
	return shpInts(in[1], "Unsqueeze axes")
}

// unsqueezeDims inserts 1s at the (output-indexed) axes.
func unsqueezeDims(shape []int, axes []int64) ([]int, error) {
	rank := len(shape) + len(axes)
	ax, err := shpNormAxes(axes, rank)
	if err != nil {
		return nil, err
	}
	ones := make([]bool, rank)
	for _, a := range ax {
		ones[a] = true
	}
	out := make([]int, rank)
	j := 0
	for i := range out {
		if ones[i] {
			out[i] = 1
		} else {
			out[i] = shape[j]
			j++
		}
	}
	return out, nil
}

func (k *unsqueezeKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	axes, err := k.axes(in)
	if err != nil {
		return nil, err
	}
	dims, err := unsqueezeDims(in[0].Shape(), axes)
	if err != nil {
		return nil, err
	}
	return out1(in[0].Reshape(dims...))
}

// InferShapes inserts the new dims when the axes are known.
func (k *unsqueezeKernel) InferShapes(in []runtime.Fact) ([]runtime.Fact, error) {
	out := runtime.Fact{DType: in[0].DType}
	axes := k.attrAxes
	if !k.fromAttr {
		if in[1].Value == nil {
			return []runtime.Fact{out}, nil
		}
		v, err := shpInts(in[1].Value, "Unsqueeze axes")
		if err != nil {
			return nil, err
		}
		axes = v
	}
	if !in[0].HasShape {
		return []runtime.Fact{out}, nil
	}
	dims, err := unsqueezeDims(in[0].Shape, axes)
	if err != nil {
		return nil, err
	}
	out.Shape, out.HasShape = dims, true
	return []runtime.Fact{out}, nil
}

// Backward reshapes the gradient back to the input's shape.
func (k *unsqueezeKernel) Backward(rc *runtime.RunContext, f *runtime.Forward, g []*tensor.Tensor) ([]*tensor.Tensor, error) {
	return shpReshapeGrad(f, g)
}

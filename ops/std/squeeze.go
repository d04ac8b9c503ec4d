package std

import (
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// Squeeze: removes size-1 dims — those listed in axes, or all of them
// when axes is not given (a view). Opset 1 takes axes as an attribute;
// opset 11 allows negative axes; opset 13 takes axes as an optional input.

func init() {
	register(
		&runtime.Op{Type: "Squeeze", Since: 1, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1}, Build: buildSqueeze},
		&runtime.Op{Type: "Squeeze", Since: 11, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1}, Build: buildSqueeze},
		&runtime.Op{Type: "Squeeze", Since: 13, Inputs: [2]int{1, 2}, Outputs: [2]int{1, 1}, Build: buildSqueeze},
	)
}

type squeezeKernel struct {
	attrAxes []int64 // opsets 1-12; nil: from the input (13), or all
	fromAttr bool
}

func buildSqueeze(b *runtime.BuildContext) (runtime.Kernel, error) {
	k := &squeezeKernel{}
	if b.Version < 13 {
		k.attrAxes, k.fromAttr = b.Ints("axes", nil), true
	}
	return k, b.Err()
}

func (k *squeezeKernel) axes(in []*tensor.Tensor) ([]int64, error) {
	if k.fromAttr {
		return k.attrAxes, nil
	}
	v, _, err := shpOptInts(in, 1, "Squeeze axes")
	if len(v) == 0 {
		v = nil // an empty axes list squeezes every size-1 dim
	}
	return v, err
}

// squeezeDims removes the listed axes (all size-1 dims when axes is nil);
// unknown dims (-1) are assumed to be 1 where listed.
func squeezeDims(shape []int, axes []int64) ([]int, error) {
	drop := make([]bool, len(shape))
	if axes == nil {
		for i, d := range shape {
			if d < 0 {
				return nil, errShape("cannot squeeze unknown dims")
			}
			drop[i] = d == 1
		}
	} else {
		ax, err := shpNormAxes(axes, len(shape))
		if err != nil {
			return nil, err
		}
		for _, a := range ax {
			if shape[a] > 1 || shape[a] == 0 {
				return nil, errShape("Squeeze axis %d has size %d, not 1", a, shape[a])
			}
			drop[a] = true
		}
	}
	out := []int{}
	for i, d := range shape {
		if !drop[i] {
			out = append(out, d)
		}
	}
	return out, nil
}

func (k *squeezeKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	axes, err := k.axes(in)
	if err != nil {
		return nil, err
	}
	dims, err := squeezeDims(in[0].Shape(), axes)
	if err != nil {
		return nil, err
	}
	return out1(in[0].Reshape(dims...))
}

// InferShapes drops the squeezed dims when the axes are known.
func (k *squeezeKernel) InferShapes(in []runtime.Fact) ([]runtime.Fact, error) {
	out := runtime.Fact{DType: in[0].DType}
	axes := k.attrAxes
	if !k.fromAttr && len(in) > 1 && !in[1].Absent {
		if in[1].Value == nil {
			return []runtime.Fact{out}, nil
		}
		v, err := shpInts(in[1].Value, "Squeeze axes")
		if err != nil {
			return nil, err
		}
		if axes = v; len(v) == 0 {
			axes = nil
		}
	}
	if !in[0].HasShape {
		return []runtime.Fact{out}, nil
	}
	if axes == nil && !in[0].Static() {
		return []runtime.Fact{out}, nil
	}
	dims, err := squeezeDims(in[0].Shape, axes)
	if err != nil {
		return nil, err
	}
	out.Shape, out.HasShape = dims, true
	return []runtime.Fact{out}, nil
}

// Backward reshapes the gradient back to the input's shape.
func (k *squeezeKernel) Backward(rc *runtime.RunContext, f *runtime.Forward, g []*tensor.Tensor) ([]*tensor.Tensor, error) {
	return shpReshapeGrad(f, g)
}

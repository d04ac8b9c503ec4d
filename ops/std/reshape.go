package std

import (
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// Reshape: the input's elements with a new shape (a view sharing storage).
// A dim of 0 copies the input's dim at that position, one dim of -1 is
// inferred. Opset 1 takes the shape as an attribute, opset 5 as an input;
// opset 14 adds allowzero (a 0 then means an empty dim).

func init() {
	register(
		&runtime.Op{Type: "Reshape", Since: 1, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1}, Build: buildReshape},
		&runtime.Op{Type: "Reshape", Since: 5, Inputs: [2]int{2, 2}, Outputs: [2]int{1, 1}, Build: buildReshape},
		&runtime.Op{Type: "Reshape", Since: 14, Inputs: [2]int{2, 2}, Outputs: [2]int{1, 1}, Build: buildReshape},
	)
}

type reshapeKernel struct {
	attrShape []int64 // opset 1: the shape attribute
	allowZero bool
}

func buildReshape(b *runtime.BuildContext) (runtime.Kernel, error) {
	k := &reshapeKernel{}
	if b.Version < 5 {
		k.attrShape = b.Ints("shape", nil)
		if !b.HasAttr("shape") {
			b.Errorf("Reshape-1 needs the shape attribute")
		}
	}
	if b.Version >= 14 {
		k.allowZero = b.Int("allowzero", 0) != 0
	}
	return k, b.Err()
}

func (k *reshapeKernel) target(in []*tensor.Tensor) ([]int64, error) {
	if k.attrShape != nil || len(in) < 2 {
		return k.attrShape, nil
	}
	return shpInts(in[1], "Reshape shape")
}

// reshapeDims resolves a requested shape against the input's dims (-1 for
// unknown input dims); the result has -1 where a dim cannot be determined.
func reshapeDims(shape []int64, inDims []int, allowZero bool) ([]int, error) {
	out := make([]int, len(shape))
	infer := -1
	prod, known := 1, true
	for _, d := range inDims {
		if d < 0 {
			known = false
		} else {
			prod *= d
		}
	}
	outProd, outKnown := 1, true
	hasZero := false
	for i, s := range shape {
		switch {
		case s == -1:
			if infer >= 0 {
				return nil, errShape("Reshape shape %v has more than one -1", shape)
			}
			infer = i
			continue
		case s == 0 && !allowZero:
			if i >= len(inDims) {
				return nil, errShape("Reshape shape %v copies dim %d of a rank-%d input", shape, i, len(inDims))
			}
			out[i] = inDims[i]
		case s < 0:
			return nil, errShape("Reshape shape %v has invalid dim %d", shape, s)
		default:
			if int64(int(s)) != s {
				return nil, errShape("Reshape dim %d too large", s)
			}
			out[i] = int(s)
		}
		if s == 0 {
			hasZero = true
		}
		if out[i] < 0 {
			outKnown = false
		} else if out[i] > 0 && outProd > (1<<62)/out[i] {
			return nil, errShape("Reshape shape %v is too large", shape)
		} else {
			outProd *= out[i]
		}
	}
	if infer >= 0 {
		switch {
		case allowZero && hasZero:
			return nil, errShape("Reshape shape %v has both 0 and -1 with allowzero", shape)
		case !known || !outKnown:
			out[infer] = -1
		case outProd == 0:
			if prod != 0 {
				return nil, errShape("cannot reshape %v to %v", inDims, shape)
			}
			out[infer] = 0 // ambiguous; ONNX takes 0
		case prod%outProd != 0:
			return nil, errShape("cannot reshape %v to %v", inDims, shape)
		default:
			out[infer] = prod / outProd
		}
		return out, nil
	}
	if known && outKnown && prod != outProd {
		return nil, errShape("cannot reshape %v (%d elements) to %v", inDims, prod, shape)
	}
	return out, nil
}

func (k *reshapeKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	shape, err := k.target(in)
	if err != nil {
		return nil, err
	}
	dims, err := reshapeDims(shape, in[0].Shape(), k.allowZero)
	if err != nil {
		return nil, err
	}
	return out1(in[0].Reshape(dims...))
}

// InferShapes resolves a constant shape against the input's known dims.
func (k *reshapeKernel) InferShapes(in []runtime.Fact) ([]runtime.Fact, error) {
	out := runtime.Fact{DType: in[0].DType}
	var shape []int64
	switch {
	case k.attrShape != nil:
		shape = k.attrShape
	case len(in) > 1 && in[1].Value != nil:
		s, err := shpInts(in[1].Value, "Reshape shape")
		if err != nil {
			return nil, err
		}
		shape = s
	case len(in) > 1 && in[1].HasShape && len(in[1].Shape) == 1 && in[1].Shape[0] >= 0:
		out.Shape, out.HasShape = make([]int, in[1].Shape[0]), true
		for i := range out.Shape {
			out.Shape[i] = -1
		}
		return []runtime.Fact{out}, nil
	default:
		return []runtime.Fact{out}, nil
	}
	if !in[0].HasShape {
		// Unknown input rank: only the literal dims are known.
		out.Shape, out.HasShape = make([]int, len(shape)), true
		for i, d := range shape {
			out.Shape[i] = -1
			if d > 0 || (d == 0 && k.allowZero) {
				out.Shape[i] = int(d)
			}
		}
		return []runtime.Fact{out}, nil
	}
	inDims := in[0].Shape
	dims, err := reshapeDims(shape, inDims, k.allowZero)
	if err != nil {
		return nil, err
	}
	out.Shape, out.HasShape = dims, true
	return []runtime.Fact{out}, nil
}

// Backward reshapes the gradient back to the input's shape.
func (k *reshapeKernel) Backward(rc *runtime.RunContext, f *runtime.Forward, g []*tensor.Tensor) ([]*tensor.Tensor, error) {
	return shpReshapeGrad(f, g)
}

package std

import (
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// Split: cuts a tensor along an axis into parts of the given lengths, or
// into equal parts (one per output). Opset 1 takes the lengths as an
// attribute or a second input; opset 2 only as the split attribute; opset
// 11 allows a negative axis; opset 13 takes them as an optional input.

func init() {
	register(
		&runtime.Op{Type: "Split", Since: 1, Inputs: [2]int{1, 2}, Outputs: [2]int{1, runtime.Variadic}, Build: buildSplit},
		&runtime.Op{Type: "Split", Since: 2, Inputs: [2]int{1, 1}, Outputs: [2]int{1, runtime.Variadic}, Build: buildSplit},
		&runtime.Op{Type: "Split", Since: 11, Inputs: [2]int{1, 1}, Outputs: [2]int{1, runtime.Variadic}, Build: buildSplit},
		&runtime.Op{Type: "Split", Since: 13, Inputs: [2]int{1, 2}, Outputs: [2]int{1, runtime.Variadic}, Build: buildSplit},
	)
}

type splitKernel struct {
	axis  int64
	split []int64 // from the attribute (opsets < 13)
	nout  int
}

func buildSplit(b *runtime.BuildContext) (runtime.Kernel, error) {
	k := &splitKernel{axis: b.Int("axis", 0), nout: b.NumOutputs()}
	if b.Version < 13 {
		k.split = b.Ints("split", nil)
	}
	return k, b.Err()
}

// parts returns the lengths of the parts along a dim of size d.
func (k *splitKernel) parts(in []*tensor.Tensor, d int) ([]int, error) {
	split := k.split
	if split == nil {
		v, _, err := shpOptInts(in, 1, "Split split")
		if err != nil {
			return nil, err
		}
		split = v
	}
	if split == nil {
		if d%k.nout != 0 {
			return nil, errShape("Split of a dim of %d into %d equal parts", d, k.nout)
		}
		p := make([]int, k.nout)
		for i := range p {
			p[i] = d / k.nout
		}
		return p, nil
	}
	if len(split) != k.nout {
		return nil, errShape("Split has %d lengths for %d outputs", len(split), k.nout)
	}
	p, err := shpDims(split, "Split split")
	if err != nil {
		return nil, err
	}
	sum := 0
	for _, n := range p {
		sum += n
	}
	if sum != d {
		return nil, errShape("Split lengths %v do not add up to %d", split, d)
	}
	return p, nil
}

func (k *splitKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	x := in[0]
	a, err := normAxis(k.axis, x.Rank())
	if err != nil {
		return nil, err
	}
	p, err := k.parts(in, x.Dim(a))
	if err != nil {
		return nil, err
	}
	out := make([]*tensor.Tensor, len(p))
	start := 0
	for i, n := range p {
		out[i] = shpSliceAxis(x, a, start, n)
		start += n
	}
	return out, nil
}

// InferShapes splits the input's dims when the lengths are known.
func (k *splitKernel) InferShapes(in []runtime.Fact) ([]runtime.Fact, error) {
	out := make([]runtime.Fact, k.nout)
	for i := range out {
		out[i].DType = in[0].DType
	}
	if !in[0].HasShape {
		return out, nil
	}
	a, err := normAxis(k.axis, len(in[0].Shape))
	if err != nil {
		return nil, err
	}
	d := in[0].Shape[a]
	split := k.split
	splitKnown := split != nil || len(in) < 2 || in[1].Absent
	if split == nil && len(in) > 1 && in[1].Value != nil {
		if split, err = shpInts(in[1].Value, "Split split"); err != nil {
			return nil, err
		}
		splitKnown = true
	}
	var p []int
	switch {
	case !splitKnown:
	case d >= 0:
		var st *tensor.Tensor
		if split != nil {
			st = tensor.MustFromSlice([]int{len(split)}, split)
		}
		if p, err = k.parts([]*tensor.Tensor{nil, st}, d); err != nil {
			return nil, err
		}
	case split != nil && len(split) == k.nout:
		if p, err = shpDims(split, "Split split"); err != nil {
			return nil, err
		}
	}
	for i := range out {
		out[i].Shape, out[i].HasShape = append([]int(nil), in[0].Shape...), true
		out[i].Shape[a] = -1
		if p != nil {
			out[i].Shape[a] = p[i]
		}
	}
	return out, nil
}

// Backward joins the outputs' gradients (zeros for outputs that have none).
func (k *splitKernel) Backward(rc *runtime.RunContext, f *runtime.Forward, g []*tensor.Tensor) ([]*tensor.Tensor, error) {
	res := make([]*tensor.Tensor, len(f.Inputs))
	if !f.NeedGrad[0] {
		return res, nil
	}
	x := f.Inputs[0]
	a, err := normAxis(k.axis, x.Rank())
	if err != nil {
		return nil, err
	}
	parts := make([]*tensor.Tensor, len(f.Outputs))
	for i, o := range f.Outputs {
		if i < len(g) && g[i] != nil {
			parts[i] = g[i]
		} else {
			z, err := tensor.Zeros(shpGradDType(x, g), o.Shape()...)
			if err != nil {
				return nil, err
			}
			parts[i] = z
		}
	}
	r, err := shpConcat(parts, x.Shape(), a)
	if err != nil {
		return nil, err
	}
	res[0] = r
	return res, nil
}

// shpGradDType is the dtype of the given gradients (the input's when none).
func shpGradDType(x *tensor.Tensor, g []*tensor.Tensor) tensor.DType {
	for _, t := range g {
		if t != nil {
			return t.DType()
		}
	}
	return x.DType()
}

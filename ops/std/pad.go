package std

import (
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// Pad: pads (or, with negative pads, crops) every axis at both ends, in
// constant, reflect (mirror without repeating the edge) or edge (repeat the
// edge) mode. Pads are [x1_begin, x2_begin, ..., x1_end, x2_end, ...].
// Opset 1 takes them as the paddings attribute, opset 2 as pads (with the
// float value attribute); opset 11 takes pads and the constant value as
// inputs; opset 13 only added dtypes.

func init() {
	register(
		&runtime.Op{Type: "Pad", Since: 1, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1}, Build: buildPad},
		&runtime.Op{Type: "Pad", Since: 2, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1}, Build: buildPad},
		&runtime.Op{Type: "Pad", Since: 11, Inputs: [2]int{2, 3}, Outputs: [2]int{1, 1}, Build: buildPad},
	)
}

type shpPadMode int

const (
	shpPadConstant shpPadMode = iota
	shpPadReflect
	shpPadEdge
)

type padKernel struct {
	mode      shpPadMode
	attrPads  []int64 // opsets 1-10
	attrValue float32
	attrs     bool
}

func buildPad(b *runtime.BuildContext) (runtime.Kernel, error) {
	k := &padKernel{}
	switch m := b.String("mode", "constant"); m {
	case "constant":
	case "reflect":
		k.mode = shpPadReflect
	case "edge":
		k.mode = shpPadEdge
	default:
		b.Errorf("Pad mode %q is not constant, reflect or edge", m)
	}
	if b.Version < 11 {
		name := "pads"
		if b.Version < 2 {
			name = "paddings"
		}
		if !b.HasAttr(name) {
			b.Errorf("Pad needs the %s attribute", name)
		}
		k.attrs, k.attrPads, k.attrValue = true, b.Ints(name, nil), b.Float("value", 0)
	}
	return k, b.Err()
}

// padPlan returns the begin pads and the output shape.
func (k *padKernel) padPlan(in []*tensor.Tensor) (begin, shape []int, err error) {
	x := in[0]
	pads := k.attrPads
	if !k.attrs {
		if pads, err = shpInts(in[1], "Pad pads"); err != nil {
			return nil, nil, err
		}
	}
	r := x.Rank()
	if len(pads) != 2*r {
		return nil, nil, errShape("Pad has %d pads for a rank-%d input", len(pads), r)
	}
	begin, shape = make([]int, r), make([]int, r)
	const limit = 1 << 50
	for i := 0; i < r; i++ {
		b, e := pads[i], pads[i+r]
		if b < -limit || b > limit || e < -limit || e > limit {
			return nil, nil, errShape("Pad pads %v are too large", pads)
		}
		n := int64(x.Dim(i)) + b + e
		if n < 0 {
			return nil, nil, errShape("Pad pads %v crop axis %d of size %d below zero", pads, i, x.Dim(i))
		}
		begin[i], shape[i] = int(b), int(n)
	}
	return begin, shape, nil
}

// padIndex maps output position o of an axis (source position o-begin) to
// a source position for reflect/edge modes, or -1 outside (constant).
func (k *padKernel) padIndex(i, d int) int {
	if i >= 0 && i < d {
		return i
	}
	switch k.mode {
	case shpPadEdge:
		return min(max(i, 0), d-1)
	case shpPadReflect:
		if d == 1 {
			return 0
		}
		p := 2 * (d - 1)
		i %= p
		if i < 0 {
			i += p
		}
		if i >= d {
			i = p - i
		}
		return i
	}
	return -1
}

func (k *padKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	x := in[0]
	begin, shape, err := k.padPlan(in)
	if err != nil {
		return nil, err
	}
	if err := rc.CheckSize(x.DType(), shape); err != nil {
		return nil, err
	}
	fill, err := k.fillValue(in)
	if err != nil {
		return nil, err
	}
	maps := make([][]int, len(shape))
	if tensor.NumElements(shape) > 0 {
		strides := tensor.Strides(x.Shape())
		for a, n := range shape {
			d := x.Dim(a)
			if d == 0 && k.mode != shpPadConstant && n > 0 {
				return nil, errShape("Pad in %s mode of an empty axis %d", []string{"constant", "reflect", "edge"}[k.mode], a)
			}
			m := make([]int, n)
			for o := range m {
				if s := k.padIndex(o-begin[a], d); s >= 0 {
					m[o] = s * strides[a]
				} else {
					m[o] = -1
				}
			}
			maps[a] = m
		}
	}
	return out1(shpGather(x, shape, maps, fill))
}

// fillValue returns the constant as a one-element tensor of x's dtype.
func (k *padKernel) fillValue(in []*tensor.Tensor) (*tensor.Tensor, error) {
	x := in[0]
	var v *tensor.Tensor
	if k.attrs {
		v = tensor.Scalar(k.attrValue)
	} else if len(in) > 2 && in[2] != nil {
		v = in[2]
		if v.Len() != 1 {
			return nil, errShape("Pad constant_value must hold one value, has shape %v", v.Shape())
		}
		if v.DType() != x.DType() {
			return nil, errDType("Pad constant_value is %v, data is %v", v.DType(), x.DType())
		}
		return v, nil
	} else {
		return nil, nil
	}
	return tensor.Convert(v, x.DType())
}

// InferShapes adds constant pads to the known dims.
func (k *padKernel) InferShapes(in []runtime.Fact) ([]runtime.Fact, error) {
	out := runtime.Fact{DType: in[0].DType}
	if !in[0].HasShape {
		return []runtime.Fact{out}, nil
	}
	r := len(in[0].Shape)
	out.Shape, out.HasShape = make([]int, r), true
	pads := k.attrPads
	if !k.attrs {
		if in[1].Value != nil {
			p, err := shpInts(in[1].Value, "Pad pads")
			if err != nil {
				return nil, err
			}
			pads = p
		}
	}
	if pads != nil && len(pads) != 2*r {
		return nil, errShape("Pad has %d pads for a rank-%d input", len(pads), r)
	}
	for i, d := range in[0].Shape {
		out.Shape[i] = -1
		if pads != nil && d >= 0 {
			if n := int64(d) + pads[i] + pads[i+r]; n >= 0 && n < 1<<50 {
				out.Shape[i] = int(n)
			}
		}
	}
	return []runtime.Fact{out}, nil
}

// Backward crops the gradient (constant mode) or, for reflect and edge,
// adds every output position's gradient into the source it copied.
func (k *padKernel) Backward(rc *runtime.RunContext, f *runtime.Forward, g []*tensor.Tensor) ([]*tensor.Tensor, error) {
	res := make([]*tensor.Tensor, len(f.Inputs))
	if !f.NeedGrad[0] || g[0] == nil {
		return res, nil
	}
	x := f.Inputs[0]
	begin, shape, err := k.padPlan(f.Inputs)
	if err != nil {
		return nil, err
	}
	if k.mode == shpPadConstant || tensor.NumElements(shape) == 0 {
		gs := tensor.Strides(shape)
		maps := make([][]int, x.Rank())
		for a, d := range x.Shape() {
			m := make([]int, d)
			for j := range m {
				if o := j + begin[a]; o >= 0 && o < shape[a] {
					m[j] = o * gs[a]
				} else {
					m[j] = -1
				}
			}
			maps[a] = m
		}
		r, err := shpGather(g[0], x.Shape(), maps, nil)
		if err != nil {
			return nil, err
		}
		res[0] = r
		return res, nil
	}
	gr := g[0]
	for a, n := range shape {
		d := x.Dim(a)
		idx := make([]int, n)
		for o := range idx {
			idx[o] = k.padIndex(o-begin[a], d)
		}
		if gr, err = shpAccumulate(gr, a, d, idx); err != nil {
			return nil, err
		}
	}
	res[0] = gr
	return res, nil
}

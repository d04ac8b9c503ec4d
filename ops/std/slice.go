package std

import (
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// Slice: takes data[starts:ends:steps] along the listed axes (default: the
// leading ones). Negative starts/ends count from the end of the dim; out of
// range values are clamped; a negative step walks backwards. Opset 1 takes
// starts/ends/axes as attributes (step 1); opset 10 takes them, and steps,
// as inputs; opset 11 allows negative axes; opset 13 only added dtypes.

func init() {
	register(
		&runtime.Op{Type: "Slice", Since: 1, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1}, Build: buildSlice},
		&runtime.Op{Type: "Slice", Since: 10, Inputs: [2]int{3, 5}, Outputs: [2]int{1, 1}, Build: buildSlice},
	)
}

type sliceKernel struct {
	attrs              bool // opset 1: starts/ends/axes are attributes
	starts, ends, axes []int64
}

func buildSlice(b *runtime.BuildContext) (runtime.Kernel, error) {
	k := &sliceKernel{}
	if b.Version < 10 {
		k.attrs = true
		if !b.HasAttr("starts") || !b.HasAttr("ends") {
			b.Errorf("Slice-1 needs the starts and ends attributes")
		}
		k.starts, k.ends, k.axes = b.Ints("starts", nil), b.Ints("ends", nil), b.Ints("axes", nil)
	}
	return k, b.Err()
}

// sliceArgs are the starts, ends, axes (nil: default) and steps (nil: 1s).
type sliceArgs struct{ starts, ends, axes, steps []int64 }

func (k *sliceKernel) args(in []*tensor.Tensor) (sliceArgs, error) {
	if k.attrs {
		return sliceArgs{starts: k.starts, ends: k.ends, axes: k.axes}, nil
	}
	var a sliceArgs
	var err error
	if a.starts, err = shpInts(in[1], "Slice starts"); err != nil {
		return a, err
	}
	if a.ends, err = shpInts(in[2], "Slice ends"); err != nil {
		return a, err
	}
	if a.axes, _, err = shpOptInts(in, 3, "Slice axes"); err != nil {
		return a, err
	}
	if a.steps, _, err = shpOptInts(in, 4, "Slice steps"); err != nil {
		return a, err
	}
	return a, nil
}

// slicePlan is the resolved slice: per input axis, the first index, the
// step and the output length.
type slicePlan struct{ start, step, n []int }

// plan resolves the arguments against a shape. Dims of -1 (unknown) give
// n = -1.
func (a sliceArgs) plan(shape []int) (slicePlan, error) {
	r := len(shape)
	p := slicePlan{start: make([]int, r), step: make([]int, r), n: append([]int(nil), shape...)}
	for i := range p.step {
		p.step[i] = 1
	}
	m := len(a.starts)
	if len(a.ends) != m || (a.axes != nil && len(a.axes) != m) || (a.steps != nil && len(a.steps) != m) {
		return p, errShape("Slice starts, ends, axes and steps differ in length (%d, %d, %d, %d)", m, len(a.ends), len(a.axes), len(a.steps))
	}
	axes := make([]int, m)
	if a.axes == nil {
		if m > r {
			return p, errShape("Slice of %d axes of a rank-%d tensor", m, r)
		}
		for i := range axes {
			axes[i] = i
		}
	} else {
		var err error
		if axes, err = shpNormAxes(a.axes, r); err != nil {
			return p, err
		}
	}
	for i, ax := range axes {
		step := int64(1)
		if a.steps != nil {
			step = a.steps[i]
		}
		if step == 0 {
			return p, errShape("Slice step 0 on axis %d", ax)
		}
		d := int64(shape[ax])
		if d < 0 {
			p.n[ax], p.step[ax] = -1, int(step)
			continue
		}
		s, e := a.starts[i], a.ends[i]
		if s < 0 {
			s += d
		}
		if e < 0 {
			e += d
		}
		var n int64
		if step > 0 {
			s, e = min(max(s, 0), d), min(max(e, 0), d)
			if e > s {
				n = (e-s-1)/step + 1
			}
		} else {
			s, e = min(max(s, 0), d-1), min(max(e, -1), d-1)
			if s > e {
				ms := -step
				if ms < 0 { // -MinInt64 overflows
					ms = d + 1
				}
				n = (s-e-1)/ms + 1
			}
		}
		if n == 0 {
			s = 0
		}
		p.start[ax], p.step[ax], p.n[ax] = int(s), int(step), int(n)
	}
	return p, nil
}

func (k *sliceKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	a, err := k.args(in)
	if err != nil {
		return nil, err
	}
	x := in[0]
	p, err := a.plan(x.Shape())
	if err != nil {
		return nil, err
	}
	strides := tensor.Strides(x.Shape())
	maps := make([][]int, x.Rank())
	if tensor.NumElements(p.n) > 0 {
		for i := range maps {
			maps[i] = shpAffine(p.n[i], p.start[i], p.step[i], strides[i])
		}
	}
	return out1(shpGather(x, p.n, maps, nil))
}

// InferShapes computes the output dims when the arguments are constants.
func (k *sliceKernel) InferShapes(in []runtime.Fact) ([]runtime.Fact, error) {
	out := runtime.Fact{DType: in[0].DType}
	if !in[0].HasShape {
		return []runtime.Fact{out}, nil
	}
	out.Shape, out.HasShape = make([]int, len(in[0].Shape)), true
	args := make([]*tensor.Tensor, len(in))
	known := true
	for i := 1; i < len(in); i++ {
		if !in[i].Absent {
			args[i] = in[i].Value
			known = known && args[i] != nil
		}
	}
	if !known {
		for i := range out.Shape {
			out.Shape[i] = -1
		}
		return []runtime.Fact{out}, nil
	}
	a, err := k.args(args)
	if err != nil {
		return nil, err
	}
	p, err := a.plan(in[0].Shape)
	if err != nil {
		return nil, err
	}
	out.Shape = p.n
	return []runtime.Fact{out}, nil
}

// Backward scatters the gradient into zeros at the sliced positions.
func (k *sliceKernel) Backward(rc *runtime.RunContext, f *runtime.Forward, g []*tensor.Tensor) ([]*tensor.Tensor, error) {
	res := make([]*tensor.Tensor, len(f.Inputs))
	if !f.NeedGrad[0] || g[0] == nil {
		return res, nil
	}
	a, err := k.args(f.Inputs)
	if err != nil {
		return nil, err
	}
	x := f.Inputs[0]
	p, err := a.plan(x.Shape())
	if err != nil {
		return nil, err
	}
	gs := tensor.Strides(g[0].Shape())
	maps := make([][]int, x.Rank())
	for ax, d := range x.Shape() {
		m := make([]int, d)
		for j := range m {
			off := j - p.start[ax]
			q := off / p.step[ax]
			if off%p.step[ax] == 0 && q >= 0 && q < p.n[ax] {
				m[j] = q * gs[ax]
			} else {
				m[j] = -1
			}
		}
		maps[ax] = m
	}
	r, err := shpGather(g[0], x.Shape(), maps, nil)
	if err != nil {
		return nil, err
	}
	res[0] = r
	return res, nil
}

package std

import (
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// GroupNormalization: the C channels of X (N, C, D1, …) are split into
// num_groups groups; each (instance, group) is normalised over its
// channels and spatial positions (population variance, epsilon) and then
// scaled and shifted. Opset 18: scale and bias have one value per group;
// opset 21: one per channel (and stash_type, the precision of the
// statistics, which always accumulate in float64 here).

func init() {
	register(
		&runtime.Op{Type: "GroupNormalization", Since: 18, Inputs: [2]int{3, 3}, Outputs: [2]int{1, 1}, Build: buildGroupNorm},
		&runtime.Op{Type: "GroupNormalization", Since: 21, Inputs: [2]int{3, 3}, Outputs: [2]int{1, 1}, Build: buildGroupNorm},
	)
}

type groupNormKernel struct {
	eps        float64
	groups     int
	perChannel bool // opset 21
}

func buildGroupNorm(b *runtime.BuildContext) (runtime.Kernel, error) {
	if err := normRequired(b, "GroupNormalization", 3); err != nil {
		return nil, err
	}
	k := &groupNormKernel{eps: float64(b.Float("epsilon", 1e-5)), groups: int(b.RequireInt("num_groups")), perChannel: b.Version >= 21}
	if err := b.Err(); err != nil {
		return nil, err
	}
	if k.groups < 1 {
		return nil, b.Errorf("GroupNormalization: num_groups must be positive, got %d", k.groups)
	}
	return k, nil
}

func (k *groupNormKernel) geom(in []*tensor.Tensor) (*normGroups, int, error) {
	x, scale, bias := in[0], in[1], in[2]
	if x.Rank() < 2 {
		return nil, 0, errShape("GroupNormalization: input must have rank >= 2, got %v", x.Shape())
	}
	if err := sameDTypes(in[:3]); err != nil {
		return nil, 0, err
	}
	c, g := x.Dim(1), k.groups
	if c%g != 0 {
		return nil, 0, errShape("GroupNormalization: %d channels do not split into %d groups", c, g)
	}
	np := g
	if k.perChannel {
		np = c
	}
	if scale.Len() != np || bias.Len() != np || scale.Rank() != 1 || bias.Rank() != 1 {
		return nil, 0, errShape("GroupNormalization: scale %v and bias %v must have shape (%d)", scale.Shape(), bias.Shape(), np)
	}
	s := 1
	for _, d := range x.Shape()[2:] {
		s *= d
	}
	cg := c / g
	ng := &normGroups{groups: x.Dim(0) * g, l: cg * s, s: s, eps: k.eps}
	if k.perChannel {
		ng.param = func(gi, blk int) int { return (gi%g)*cg + blk }
	} else {
		ng.param = func(gi, _ int) int { return gi % g }
	}
	return ng, np, nil
}

func (k *groupNormKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	ng, _, err := k.geom(in)
	if err != nil {
		return nil, err
	}
	return normGroupsRun("GroupNormalization", in, ng)
}

// InferShapes: same as the input.
func (k *groupNormKernel) InferShapes(in []runtime.Fact) ([]runtime.Fact, error) {
	return sameAsInput(0)(in)
}

// Backward: as InstanceNormalization, per (instance, group).
func (k *groupNormKernel) Backward(rc *runtime.RunContext, f *runtime.Forward, g []*tensor.Tensor) ([]*tensor.Tensor, error) {
	out := make([]*tensor.Tensor, 3)
	if g[0] == nil {
		return out, nil
	}
	ng, np, err := k.geom(f.Inputs)
	if err != nil {
		return nil, err
	}
	x, scale, bias := f.Inputs[0], f.Inputs[1], f.Inputs[2]
	xs, err := tensor.Float64s(x)
	if err != nil {
		return nil, err
	}
	gy, err := tensor.Float64s(g[0])
	if err != nil {
		return nil, err
	}
	sc, err := tensor.Float64s(scale)
	if err != nil {
		return nil, err
	}
	dx, ds, db := normGroupsBackward(xs, gy, ng, sc, np)
	for i, d := range [][]float64{dx, ds, db} {
		if !f.NeedGrad[i] {
			continue
		}
		t := []*tensor.Tensor{x, scale, bias}[i]
		if out[i], err = normFromF64(t.DType(), t.Shape(), d); err != nil {
			return nil, err
		}
	}
	return out, nil
}

package std

import (
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// InstanceNormalization: y = scale[c]·(x − μ)/sqrt(σ² + epsilon) + B[c],
// with μ and σ² (population variance) computed per instance and channel
// over the spatial dims of X (N, C, D1, …). Opset 1 had the legacy
// consumed_inputs attribute (ignored); opset 6 dropped it, same semantics.

func init() {
	register(&runtime.Op{Type: "InstanceNormalization", Since: 1, Inputs: [2]int{3, 3}, Outputs: [2]int{1, 1}, Build: buildInstanceNorm})
}

type instanceNormKernel struct{ eps float64 }

func buildInstanceNorm(b *runtime.BuildContext) (runtime.Kernel, error) {
	if err := normRequired(b, "InstanceNormalization", 3); err != nil {
		return nil, err
	}
	return &instanceNormKernel{eps: float64(b.Float("epsilon", 1e-5))}, b.Err()
}

func (k *instanceNormKernel) geom(in []*tensor.Tensor) (*normGroups, error) {
	x, scale, bias := in[0], in[1], in[2]
	if x.Rank() < 2 {
		return nil, errShape("InstanceNormalization: input must have rank >= 2, got %v", x.Shape())
	}
	if err := sameDTypes(in[:3]); err != nil {
		return nil, err
	}
	c := x.Dim(1)
	if scale.Len() != c || bias.Len() != c || scale.Rank() != 1 || bias.Rank() != 1 {
		return nil, errShape("InstanceNormalization: scale %v and B %v must have shape (%d)", scale.Shape(), bias.Shape(), c)
	}
	s := 1
	for _, d := range x.Shape()[2:] {
		s *= d
	}
	return &normGroups{groups: x.Dim(0) * c, l: s, s: s, eps: k.eps,
		param: func(g, _ int) int { return g % c }}, nil
}

func (k *instanceNormKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	ng, err := k.geom(in)
	if err != nil {
		return nil, err
	}
	return normGroupsRun("InstanceNormalization", in, ng)
}

// InferShapes: same as the input.
func (k *instanceNormKernel) InferShapes(in []runtime.Fact) ([]runtime.Fact, error) {
	return sameAsInput(0)(in)
}

// Backward: per (instance, channel) group with x̂ = (x−μ)σ⁻¹ and
// ĝ = g·scale[c], dx = σ⁻¹(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)); dscale[c] = Σ g·x̂
// and dB[c] = Σ g over instances and spatial positions.
func (k *instanceNormKernel) Backward(rc *runtime.RunContext, f *runtime.Forward, g []*tensor.Tensor) ([]*tensor.Tensor, error) {
	out := make([]*tensor.Tensor, 3)
	if g[0] == nil {
		return out, nil
	}
	ng, err := k.geom(f.Inputs)
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
	dx, ds, db := normGroupsBackward(xs, gy, ng, sc, scale.Len())
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

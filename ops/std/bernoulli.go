package std

import (
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// Bernoulli (opset 15): each output element is 1 with the probability
// given by the input element (a float in [0, 1]) and 0 otherwise, in dtype
// `dtype` (default: the input's; any numeric type or bool). Draws come
// from the run's random source (the seed attribute is not used); the op is
// Stateful, never constant-folded.

func init() {
	register(&runtime.Op{Type: "Bernoulli", Since: 15, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1}, Stateful: true, Build: buildBernoulli})
}

type bernoulliKernel struct{ dtype tensor.DType } // Undefined: the input's

func buildBernoulli(b *runtime.BuildContext) (runtime.Kernel, error) {
	if err := normRequired(b, "Bernoulli", 1); err != nil {
		return nil, err
	}
	k := &bernoulliKernel{}
	if b.HasAttr("dtype") {
		dt, err := randomDType(b, "Bernoulli", 1, func(d tensor.DType) bool { return d.IsNumeric() || d == tensor.Bool })
		if err != nil {
			return nil, err
		}
		k.dtype = dt
	}
	return k, b.Err()
}

func (k *bernoulliKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	x := in[0]
	if !x.DType().IsFloat() {
		return nil, errDType("Bernoulli: probabilities must be floats, got %v", x.DType())
	}
	p, err := tensor.Float64s(x)
	if err != nil {
		return nil, err
	}
	v := make([]float64, len(p))
	rng := rc.Rand()
	for i, pi := range p {
		if !(pi >= 0 && pi <= 1) {
			return nil, errShape("Bernoulli: probability %v is not in [0, 1]", pi)
		}
		if rng.Float64() < pi {
			v[i] = 1
		}
	}
	dt := k.dtype
	if dt == tensor.Undefined {
		dt = x.DType()
	}
	return out1(normFromF64(dt, x.Shape(), v))
}

// InferShapes: the input's shape, in the output dtype.
func (k *bernoulliKernel) InferShapes(in []runtime.Fact) ([]runtime.Fact, error) {
	x := in[0]
	dt := k.dtype
	if dt == tensor.Undefined {
		dt = x.DType
	}
	return []runtime.Fact{{DType: dt, Shape: x.Shape, HasShape: x.HasShape}}, nil
}

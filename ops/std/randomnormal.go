package std

import (
	"math/rand/v2"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
	"github.com/optnet-go/optnet/tensorpb"
)

// RandomNormal (opset 1): a tensor of the `shape` attribute filled with
// samples of a normal distribution (mean, scale = standard deviation), of
// dtype `dtype` (default float32). This file also holds the machinery the
// other generators (RandomUniform, RandomNormalLike, RandomUniformLike)
// share. Samples come from the run's random source, seeded by
// RunOptions.Seed; the `seed` attribute is not used (one kernel serves
// concurrent runs and keeps no generator state). Generators are Stateful:
// never constant-folded.

func init() {
	register(&runtime.Op{Type: "RandomNormal", Since: 1, Inputs: [2]int{0, 0}, Outputs: [2]int{1, 1}, Stateful: true, Build: buildRandom("RandomNormal", true, false)})
}

// randomKernel draws normal (mean a, deviation b) or uniform ([a, b))
// samples.
type randomKernel struct {
	name   string
	normal bool
	a, b   float64
	dtype  tensor.DType // Undefined: the input's (Like ops)
	shape  []int        // nil for the Like ops
}

func buildRandom(name string, normal, like bool) func(*runtime.BuildContext) (runtime.Kernel, error) {
	return func(b *runtime.BuildContext) (runtime.Kernel, error) {
		if like {
			if err := normRequired(b, name, 1); err != nil {
				return nil, err
			}
		}
		k := &randomKernel{name: name, normal: normal}
		if normal {
			k.a, k.b = float64(b.Float("mean", 0)), float64(b.Float("scale", 1))
		} else {
			k.a, k.b = float64(b.Float("low", 0)), float64(b.Float("high", 1))
		}
		if !like || b.HasAttr("dtype") {
			dt, err := randomDType(b, name, 1, func(d tensor.DType) bool { return d.IsFloat() })
			if err != nil {
				return nil, err
			}
			k.dtype = dt
		}
		if !like {
			if !b.HasAttr("shape") {
				return nil, b.Errorf("%s: required attribute \"shape\" is missing", name)
			}
			for _, d := range b.Ints("shape", nil) {
				if d < 0 {
					return nil, b.Errorf("%s: negative dim in shape %v", name, b.Ints("shape", nil))
				}
				k.shape = append(k.shape, int(d))
			}
			if k.shape == nil {
				k.shape = []int{}
			}
		}
		return k, b.Err()
	}
}

// randomDType reads the dtype attribute (an ONNX data type code, default
// def) and checks it with ok.
func randomDType(b *runtime.BuildContext, name string, def int64, ok func(tensor.DType) bool) (tensor.DType, error) {
	code := b.Int("dtype", def)
	if err := b.Err(); err != nil {
		return 0, err
	}
	dt, err := tensorpb.DType(int32(code))
	if err != nil || !ok(dt) {
		return 0, b.Errorf("%s: unsupported dtype %d", name, code)
	}
	return dt, nil
}

func (k *randomKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	shape, dt := k.shape, k.dtype
	if shape == nil {
		x := in[0]
		shape = x.Shape()
		if dt == tensor.Undefined {
			if !x.DType().IsFloat() {
				return nil, errDType("%s: input of %v needs a float dtype attribute", k.name, x.DType())
			}
			dt = x.DType()
		}
	}
	if err := rc.CheckSize(tensor.Float64, shape); err != nil {
		return nil, err
	}
	v := make([]float64, tensor.NumElements(shape))
	randomFill(rc.Rand(), v, k.normal, k.a, k.b)
	return out1(normFromF64(dt, shape, v))
}

// randomFill draws normal (mean a, deviation b) or uniform [a, b) samples.
func randomFill(rng *rand.Rand, v []float64, normal bool, a, b float64) {
	if normal {
		for i := range v {
			v[i] = a + b*rng.NormFloat64()
		}
		return
	}
	for i := range v {
		v[i] = a + (b-a)*rng.Float64()
	}
}

// InferShapes: the attribute shape, or the input's.
func (k *randomKernel) InferShapes(in []runtime.Fact) ([]runtime.Fact, error) {
	if k.shape != nil {
		return []runtime.Fact{{DType: k.dtype, Shape: k.shape, HasShape: true}}, nil
	}
	x := in[0]
	dt := k.dtype
	if dt == tensor.Undefined {
		dt = x.DType
	}
	return []runtime.Fact{{DType: dt, Shape: x.Shape, HasShape: x.HasShape}}, nil
}

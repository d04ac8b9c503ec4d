package std

import (
	"math"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// Multinomial (opset 7): for input (batch, classes) of unnormalised log-
// probabilities, draws sample_size class indices per row from
// softmax(row); output (batch, sample_size) of dtype int32 (default) or
// int64. Draws come from the run's random source (the seed attribute is
// not used); the op is Stateful, never constant-folded.

func init() {
	register(&runtime.Op{Type: "Multinomial", Since: 7, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1}, Stateful: true, Build: buildMultinomial})
}

type multinomialKernel struct {
	samples int
	dtype   tensor.DType
}

func buildMultinomial(b *runtime.BuildContext) (runtime.Kernel, error) {
	if err := normRequired(b, "Multinomial", 1); err != nil {
		return nil, err
	}
	dt, err := randomDType(b, "Multinomial", 6, func(d tensor.DType) bool { return d == tensor.Int32 || d == tensor.Int64 })
	if err != nil {
		return nil, err
	}
	k := &multinomialKernel{samples: int(b.Int("sample_size", 1)), dtype: dt}
	if k.samples < 0 {
		return nil, b.Errorf("Multinomial: negative sample_size %d", k.samples)
	}
	return k, b.Err()
}

func (k *multinomialKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	x := in[0]
	if !x.DType().IsFloat() {
		return nil, errDType("Multinomial: input must be floats, got %v", x.DType())
	}
	if x.Rank() != 2 {
		return nil, errShape("Multinomial: input must be (batch, classes), got %v", x.Shape())
	}
	batch, classes := x.Dim(0), x.Dim(1)
	shape := []int{batch, k.samples}
	if err := rc.CheckSize(tensor.Int64, shape); err != nil {
		return nil, err
	}
	if classes == 0 && batch*k.samples > 0 {
		return nil, errShape("Multinomial: no classes to draw from")
	}
	lp, err := tensor.Float64s(x)
	if err != nil {
		return nil, err
	}
	out := make([]int64, batch*k.samples)
	cdf := make([]float64, classes)
	rng := rc.Rand()
	for r := 0; r < batch; r++ {
		row := lp[r*classes : (r+1)*classes]
		m := math.Inf(-1)
		for _, v := range row {
			m = math.Max(m, v)
		}
		s := 0.0
		for i, v := range row {
			s += math.Exp(v - m)
			cdf[i] = s
		}
		if !(s > 0) || math.IsInf(s, 0) {
			return nil, errShape("Multinomial: row %d has no finite probabilities", r)
		}
		for j := 0; j < k.samples; j++ {
			u := rng.Float64() * s
			c := 0
			for c < classes-1 && cdf[c] <= u {
				c++
			}
			out[r*k.samples+j] = int64(c)
		}
		if r%64 == 0 {
			if err := rc.Err(); err != nil {
				return nil, err
			}
		}
	}
	return out1(tensor.Convert(tensor.MustFromSlice(shape, out), k.dtype))
}

// InferShapes: (batch, sample_size) of the output dtype.
func (k *multinomialKernel) InferShapes(in []runtime.Fact) ([]runtime.Fact, error) {
	f := runtime.Fact{DType: k.dtype}
	if in[0].HasShape && len(in[0].Shape) == 2 {
		f.Shape, f.HasShape = []int{in[0].Shape[0], k.samples}, true
	}
	return []runtime.Fact{f}, nil
}

package std

import (
	"math"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
	"github.com/optnet-go/optnet/tensorpb"
)

// Small input helpers of this family's ops (NonMaxSuppression, RoiAlign,
// the window functions, DFT, STFT, MelWeightMatrix).

// sigOptInput returns input i, or nil when it is omitted.
func sigOptInput(in []*tensor.Tensor, i int) *tensor.Tensor {
	if i < len(in) {
		return in[i]
	}
	return nil
}

// sigScalarInt reads a one-element integer tensor.
func sigScalarInt(t *tensor.Tensor, name string) (int64, error) {
	if !t.DType().IsInt() || t.Len() != 1 {
		return 0, errDType("%s must be a single integer, got %v", name, t)
	}
	v, err := tensor.Int64s(t)
	if err != nil {
		return 0, err
	}
	return v[0], nil
}

// sigScalarFloat reads a one-element numeric tensor as float64.
func sigScalarFloat(t *tensor.Tensor, name string) (float64, error) {
	if !t.DType().IsNumeric() || t.Len() != 1 {
		return 0, errDType("%s must be a single number, got %v", name, t)
	}
	v, err := tensor.Float64s(t)
	if err != nil {
		return 0, err
	}
	return v[0], nil
}

// windowKernel generates a generalized cosine window of the length given
// by its input: w[n] = Σ_k a_k cos(2πkn/N) with N = size (periodic) or
// size - 1 (symmetric).
type windowKernel struct {
	name     string
	coef     []float64
	periodic bool
	dtype    tensor.DType
}

func buildWindow(name string, coef ...float64) func(*runtime.BuildContext) (runtime.Kernel, error) {
	return func(b *runtime.BuildContext) (runtime.Kernel, error) {
		dt, err := sigOutputDType(b, "output_datatype", 1)
		if err != nil {
			return nil, err
		}
		return &windowKernel{name: name, coef: coef, periodic: b.Int("periodic", 1) != 0, dtype: dt}, b.Err()
	}
}

// sigOutputDType reads an attribute holding an ONNX TensorProto data type
// for a numeric output.
func sigOutputDType(b *runtime.BuildContext, name string, def int64) (tensor.DType, error) {
	v := b.Int(name, def)
	dt, err := tensorpb.DType(int32(v))
	if err != nil || !dt.IsNumeric() {
		return tensor.Undefined, b.Errorf("%s %d is not a numeric data type", name, v)
	}
	return dt, nil
}

func (k *windowKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	size, err := sigScalarInt(in[0], k.name+" size")
	if err != nil {
		return nil, err
	}
	if size < 0 || size > math.MaxInt32 {
		return nil, errShape("%s size %d", k.name, size)
	}
	n := int(size)
	if err := rc.CheckSize(tensor.Float64, []int{n}); err != nil { // the float64 work slice
		return nil, err
	}
	w := make([]float64, n)
	den := float64(n)
	if !k.periodic {
		den = float64(n - 1)
	}
	for i := range w {
		if den == 0 {
			w[i] = 1 // a single-point symmetric window
			continue
		}
		for j, a := range k.coef {
			w[i] += a * math.Cos(2*math.Pi*float64(j)*float64(i)/den)
		}
	}
	return out1(tensor.Convert(tensor.MustFromSlice([]int{n}, w), k.dtype))
}

// InferShapes: a vector of the output dtype.
func (k *windowKernel) InferShapes(in []runtime.Fact) ([]runtime.Fact, error) {
	return []runtime.Fact{{DType: k.dtype, Shape: []int{-1}, HasShape: true}}, nil
}

package std

import (
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// Dropout: in inference the output is the input (mask all true); in
// training each element is kept with probability 1−ratio and scaled by
// 1/(1−ratio), the rest are zeroed, and the mask says which were kept.
// Training means: opset 12+ the training_mode input is true, or the run is
// a training run (RunContext.Training); before opset 12 a training run
// (opsets 1 and 6 also need is_test=0). Opset history: 1 (is_test,
// consumed_inputs), 6 (consumed_inputs removed), 7 (is_test removed), 10
// (mask is bool, before it had X's dtype), 12 (ratio and training_mode
// become inputs, seed attribute), 13 (bfloat16). The mask is drawn from
// the run's random source (RunOptions.Seed); the seed attribute is not
// used. The op is Stateful so it is never constant-folded.

func init() {
	for _, v := range []int{1, 7, 10, 12} {
		ins := 1
		if v >= 12 {
			ins = 3
		}
		register(&runtime.Op{Type: "Dropout", Since: v, Inputs: [2]int{1, ins}, Outputs: [2]int{1, 2}, Stateful: true, Build: buildDropout})
	}
}

type dropoutKernel struct {
	version int
	ratio   float32 // the attribute (opset < 12)
	isTest  bool
	mask    bool // the mask output is requested
}

func buildDropout(b *runtime.BuildContext) (runtime.Kernel, error) {
	if err := normRequired(b, "Dropout", 1); err != nil {
		return nil, err
	}
	k := &dropoutKernel{version: b.Version, ratio: 0.5, mask: b.HasOutput(1)}
	if b.Version < 12 {
		k.ratio = b.Float("ratio", 0.5)
	}
	if b.Version < 7 {
		k.isTest = b.Int("is_test", 0) != 0
	}
	return k, b.Err()
}

// dropoutSaved is what a recorded training forward keeps for backward.
type dropoutSaved struct {
	keep  []bool
	scale float64
}

func (k *dropoutKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	x := in[0]
	if !x.DType().IsFloat() {
		return nil, errDType("Dropout does not support %v", x.DType())
	}
	ratio := float64(k.ratio)
	train := rc.Training() && !k.isTest
	if k.version >= 12 {
		if r := normOpt(in, 1); r != nil {
			v, err := tensor.Float64s(r)
			if err != nil || r.Len() != 1 || !r.DType().IsFloat() {
				return nil, errDType("Dropout: ratio must be a float scalar, got %v", r)
			}
			ratio = v[0]
		}
		if tm := normOpt(in, 2); tm != nil {
			if tm.DType() != tensor.Bool || tm.Len() != 1 {
				return nil, errDType("Dropout: training_mode must be a bool scalar, got %v", tm)
			}
			train = train || tensor.Data[bool](tm)[0]
		}
	}
	if !(ratio >= 0 && ratio < 1) {
		return nil, errShape("Dropout: ratio %v is not in [0, 1)", ratio)
	}
	out := make([]*tensor.Tensor, 2)
	if !train || ratio == 0 {
		out[0] = x
		if k.mask {
			m, err := k.maskOut(x, nil)
			if err != nil {
				return nil, err
			}
			out[1] = m
		}
		return out, nil
	}
	keep := make([]bool, x.Len())
	rng := rc.Rand()
	for i := range keep {
		keep[i] = rng.Float64() >= ratio
	}
	scale := 1 / (1 - ratio)
	y, err := dropoutApply(x, keep, scale)
	if err != nil {
		return nil, err
	}
	out[0] = y
	if k.mask {
		if out[1], err = k.maskOut(x, keep); err != nil {
			return nil, err
		}
	}
	if rc.Recording() {
		rc.Save(&dropoutSaved{keep: keep, scale: scale})
	}
	return out, nil
}

// maskOut builds the mask output (keep == nil: all kept): bool from opset
// 10, X's dtype (1 kept, 0 dropped) before.
func (k *dropoutKernel) maskOut(x *tensor.Tensor, keep []bool) (*tensor.Tensor, error) {
	m := tensor.Make[bool](x.Shape()...)
	md := tensor.Data[bool](m)
	for i := range md {
		md[i] = keep == nil || keep[i]
	}
	if k.version >= 10 {
		return m, nil
	}
	return tensor.Convert(m, x.DType())
}

// dropoutApply returns x with dropped elements zeroed and kept ones scaled.
func dropoutApply(x *tensor.Tensor, keep []bool, scale float64) (*tensor.Tensor, error) {
	w, err := normWiden("Dropout", x)
	if err != nil {
		return nil, err
	}
	var y *tensor.Tensor
	switch w.DType() {
	case tensor.Float32:
		y = tensor.Make[float32](x.Shape()...)
		dropoutMask(tensor.Data[float32](y), tensor.Data[float32](w), keep, float32(scale))
	case tensor.Float64:
		y = tensor.Make[float64](x.Shape()...)
		dropoutMask(tensor.Data[float64](y), tensor.Data[float64](w), keep, scale)
	}
	return tensor.Convert(y, x.DType())
}

func dropoutMask[T tensor.Float](y, x []T, keep []bool, scale T) {
	for i, v := range x {
		if keep[i] {
			y[i] = v * scale
		}
	}
}

// InferShapes: the output like the input; the mask has its shape.
func (k *dropoutKernel) InferShapes(in []runtime.Fact) ([]runtime.Fact, error) {
	x := in[0]
	y := runtime.Fact{DType: x.DType, Shape: x.Shape, HasShape: x.HasShape}
	m := y
	if k.version >= 10 {
		m.DType = tensor.Bool
	}
	return []runtime.Fact{y, m}, nil
}

// Backward: the gradient goes through the kept elements, scaled like them
// (the mask saved by the forward pass); in inference it passes unchanged.
// ratio and training_mode get no gradient.
func (k *dropoutKernel) Backward(rc *runtime.RunContext, f *runtime.Forward, g []*tensor.Tensor) ([]*tensor.Tensor, error) {
	out := make([]*tensor.Tensor, len(f.Inputs))
	if !f.NeedGrad[0] || g[0] == nil {
		return out, nil
	}
	sv, _ := f.Saved.(*dropoutSaved)
	if sv == nil {
		out[0] = g[0]
		return out, nil
	}
	if g[0].Len() != len(sv.keep) {
		return nil, errShape("Dropout: gradient %v does not match the saved mask of %d elements", g[0].Shape(), len(sv.keep))
	}
	dx, err := dropoutApply(g[0], sv.keep, sv.scale)
	if err != nil {
		return nil, err
	}
	out[0] = dx
	return out, nil
}

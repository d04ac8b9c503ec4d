package std

import (
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// MaxUnpool: the partial inverse of MaxPool — a zero tensor of shape
// (N, C, (D-1)·stride + kernel - pads) with each value of X placed at its
// flat index from I (MaxPool's Indices output). A larger output_shape pads
// that tensor at the end of each axis, as the ONNX reference does (opset 9;
// opset 11 only clarified the output_shape rule).

func init() {
	register(&runtime.Op{Type: "MaxUnpool", Since: 9, Inputs: [2]int{2, 3}, Outputs: [2]int{1, 1}, Build: buildMaxUnpool})
}

type maxUnpoolKernel struct{ attrs convWindowAttrs }

func buildMaxUnpool(b *runtime.BuildContext) (runtime.Kernel, error) {
	a, err := readConvWindowAttrs(b)
	if err != nil {
		return nil, err
	}
	if a.kernel == nil {
		return nil, b.Errorf("required attribute %q is missing", "kernel_shape")
	}
	return &maxUnpoolKernel{attrs: a}, nil
}

func (k *maxUnpoolKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	x, idx := in[0], in[1]
	xs := x.Shape()
	if len(xs) < 3 || len(k.attrs.kernel) != len(xs)-2 {
		return nil, errShape("MaxUnpool input %v does not match kernel_shape %v", xs, k.attrs.kernel)
	}
	if idx.DType() != tensor.Int64 || !tensor.SameShape(idx.Shape(), xs) {
		return nil, errShape("MaxUnpool indices %v must be int64 of X's shape %v", idx, xs)
	}
	if !x.DType().IsFloat() {
		return nil, errDType("MaxUnpool does not support %v", x.DType())
	}
	nd := len(xs) - 2
	s, _, err := k.attrs.spatialDefaults(nd)
	if err != nil {
		return nil, err
	}
	// The indices address the inferred shape (N, C, (D-1)·stride + kernel
	// - pads).
	inferred := []int{xs[0], xs[1]}
	for i := 0; i < nd; i++ {
		d := (xs[2+i]-1)*s[i] + k.attrs.kernel[i]
		if k.attrs.pads != nil {
			d -= k.attrs.pads[i] + k.attrs.pads[i+nd]
		}
		if d < 0 {
			return nil, errShape("MaxUnpool output dim %d is negative", i)
		}
		inferred = append(inferred, d)
	}
	shape := inferred
	if len(in) > 2 && in[2] != nil {
		v, err := tensor.Int64s(in[2])
		if err != nil || in[2].Rank() != 1 || len(v) != len(xs) {
			return nil, errShape("MaxUnpool output_shape %v must list %d dims", in[2], len(xs))
		}
		shape = nnInts(v)
		for i := range shape {
			if shape[i] < inferred[i] || (i < 2 && shape[i] != inferred[i]) {
				return nil, errShape("MaxUnpool output_shape %v is smaller than the unpooled shape %v", shape, inferred)
			}
		}
	}
	if err := rc.CheckSize(x.DType(), inferred); err != nil {
		return nil, err
	}
	y, err := rc.Alloc(x.DType(), shape...)
	if err != nil {
		return nil, err
	}
	iv := tensor.Data[int64](idx)
	n := int64(tensor.NumElements(inferred))
	// pos maps a flat index of the inferred shape into the output, which
	// holds the inferred block at its origin.
	pos := make([]int, len(iv))
	outStride := tensor.Strides(shape)
	for i, v := range iv {
		if v < 0 || v >= n {
			return nil, errShape("MaxUnpool index %d is outside the unpooled tensor of %d elements", v, n)
		}
		r, p := int(v), 0
		for d := len(inferred) - 1; d >= 0; d-- {
			p += (r % inferred[d]) * outStride[d]
			r /= inferred[d]
		}
		pos[i] = p
	}
	switch yd := y.Raw().(type) {
	case []float32:
		maxUnpoolScatter(yd, tensor.Data[float32](x), pos)
	case []float64:
		maxUnpoolScatter(yd, tensor.Data[float64](x), pos)
	case []tensor.F16:
		maxUnpoolScatter(yd, tensor.Data[tensor.F16](x), pos)
	case []tensor.BF16:
		maxUnpoolScatter(yd, tensor.Data[tensor.BF16](x), pos)
	}
	return []*tensor.Tensor{y}, nil
}

func maxUnpoolScatter[T any](y, x []T, idx []int) {
	for i, v := range x {
		y[idx[i]] = v
	}
}

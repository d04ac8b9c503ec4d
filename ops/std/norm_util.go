package std

import (
	"math"

	"github.com/optnet-go/optnet/internal/parallel"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// Helpers of the normalisation / softmax / loss family (Softmax,
// LogSoftmax, Hardmax, BatchNormalization, LayerNormalization,
// InstanceNormalization, GroupNormalization, MeanVarianceNormalization,
// the losses): dtype widening for 16-bit floats, the outer × axis × inner
// geometry of a reduction along one axis, and parallel loops over it.

// normGrain is roughly how many elements one parallel chunk should touch so
// that goroutine overhead stays small.
const normGrain = 1 << 14

// normWiden returns x as a float32 or float64 tensor to compute with:
// float16 and bfloat16 are converted to float32. Other dtypes are an error
// naming op.
func normWiden(op string, x *tensor.Tensor) (*tensor.Tensor, error) {
	switch x.DType() {
	case tensor.Float32, tensor.Float64:
		return x, nil
	case tensor.Float16, tensor.BFloat16:
		return tensor.Convert(x, tensor.Float32)
	}
	return nil, errDType("%s does not support %v", op, x.DType())
}

// normWidenAll widens every non-nil tensor of in (see normWiden).
func normWidenAll(op string, in ...*tensor.Tensor) ([]*tensor.Tensor, error) {
	out := make([]*tensor.Tensor, len(in))
	for i, t := range in {
		if t == nil {
			continue
		}
		w, err := normWiden(op, t)
		if err != nil {
			return nil, err
		}
		out[i] = w
	}
	return out, nil
}

// normParams returns the elements of a float tensor (a per-channel scale,
// bias, mean, ...) as float64 values.
func normParams(op, what string, t *tensor.Tensor) ([]float64, error) {
	if !t.DType().IsFloat() {
		return nil, errDType("%s: %s must be a float tensor, got %v", op, what, t.DType())
	}
	return tensor.Float64s(t)
}

// normFromF64 returns a tensor of dtype dt and the given shape holding v.
func normFromF64(dt tensor.DType, shape []int, v []float64) (*tensor.Tensor, error) {
	t := tensor.MustFromSlice(shape, v)
	return tensor.Convert(t, dt)
}

// normAxisGeom splits shape around axis a (already normalised): outer is the
// product of the dims before it, n the dim itself and inner the product of
// the dims after it. Element (o, i, j) is at o*n*inner + i*inner + j.
func normAxisGeom(shape []int, a int) (outer, n, inner int) {
	outer, n, inner = 1, shape[a], 1
	for _, d := range shape[:a] {
		outer *= d
	}
	for _, d := range shape[a+1:] {
		inner *= d
	}
	return outer, n, inner
}

// normFlatGeom splits shape into the 2-D view [prod(shape[:a]), prod(shape[a:])]
// used by the opset < 13 softmax family (a may equal len(shape)).
func normFlatGeom(shape []int, a int) (outer, n, inner int) {
	outer, n = 1, 1
	for _, d := range shape[:a] {
		outer *= d
	}
	for _, d := range shape[a:] {
		n *= d
	}
	return outer, n, 1
}

// normForLines calls fn for every line along the middle axis of an
// outer × n × inner geometry, split across cores: base is the offset of
// the line's first element and inner its stride.
func normForLines(outer, n, inner int, fn func(base int)) {
	lines := outer * inner
	parallel.For(lines, max(1, normGrain/max(n, 1)), func(lo, hi int) {
		for l := lo; l < hi; l++ {
			o, j := l/inner, l%inner
			fn(o*n*inner + j)
		}
	})
}

// nExp is exp for either float type, computed in float64.
func nExp[T tensor.Float](v T) T { return T(math.Exp(float64(v))) }

// nLog is log for either float type, computed in float64.
func nLog[T tensor.Float](v T) T { return T(math.Log(float64(v))) }

// nSqrt is the square root for either float type.
func nSqrt[T tensor.Float](v T) T { return T(math.Sqrt(float64(v))) }

// normMeanVar returns the mean and population variance of the n elements
// x[base], x[base+stride], ..., accumulating in float64 with two passes.
func normMeanVar[T tensor.Float](x []T, base, stride, n int) (mean, variance float64) {
	if n == 0 {
		return 0, 0
	}
	s := 0.0
	for i, p := 0, base; i < n; i, p = i+1, p+stride {
		s += float64(x[p])
	}
	mean = s / float64(n)
	q := 0.0
	for i, p := 0, base; i < n; i, p = i+1, p+stride {
		d := float64(x[p]) - mean
		q += d * d
	}
	return mean, q / float64(n)
}

// normMeanVarContig is normMeanVar for a contiguous run.
func normMeanVarContig[T tensor.Float](x []T) (mean, variance float64) {
	n := len(x)
	if n == 0 {
		return 0, 0
	}
	s := 0.0
	for _, v := range x {
		s += float64(v)
	}
	mean = s / float64(n)
	q := 0.0
	for _, v := range x {
		d := float64(v) - mean
		q += d * d
	}
	return mean, q / float64(n)
}

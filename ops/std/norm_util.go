package std

import (
	"math"

	"github.com/optnet-go/optnet/internal/parallel"
	"github.com/optnet-go/optnet/runtime"
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

// nExp is exp for either float type: float64 through math.Exp, float32
// through normExp32.
func nExp[T tensor.Float](v T) T {
	if f, ok := any(v).(float32); ok {
		return T(normExp32(f))
	}
	return T(math.Exp(float64(v)))
}

// normExp32 is exp in float32 arithmetic, within 3e-7 relative error over
// the float32 range (0 below about -87.3, where the result would be
// subnormal): x = k·ln2 + r with |r| <= ln2/2 (ln2 split in two parts so
// k·ln2 is exact), e^r by its degree-6 Taylor polynomial, times 2^k.
func normExp32(x float32) float32 {
	const (
		log2e = 1.44269504088896341
		ln2hi = 0.693359375
		ln2lo = -2.12194440e-4
	)
	switch {
	case x != x:
		return x
	case x < -87.33:
		return 0
	case x > 88.72:
		return float32(math.Inf(1))
	}
	t := x * log2e
	var k int32
	if t >= 0 {
		k = int32(t + 0.5)
	} else {
		k = int32(t - 0.5)
	}
	kf := float32(k)
	r := x - kf*ln2hi - kf*ln2lo
	p := 1 + r*(1+r*(0.5+r*(1.0/6+r*(1.0/24+r*(1.0/120+r*(1.0/720))))))
	if k > 127 { // 2^k itself would overflow; the product does not
		return p * 2 * math.Float32frombits(uint32(k+126)<<23)
	}
	return p * math.Float32frombits(uint32(k+127)<<23)
}

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

// normExpand broadcasts t (any numeric dtype) to shape and returns the
// elements as float64 values in row-major order; it is used for small
// per-feature parameters (a LayerNormalization scale over the normalised
// dims).
func normExpand(t *tensor.Tensor, shape []int) ([]float64, error) {
	src, err := tensor.Float64s(t)
	if err != nil {
		return nil, err
	}
	out := make([]float64, tensor.NumElements(shape))
	if tensor.SameShape(t.Shape(), shape) {
		copy(out, src)
		return out, nil
	}
	b, err := tensor.NewBroadcaster(shape, t.Shape())
	if err != nil {
		return nil, err
	}
	n, step := b.RowLen(), b.Steps()[0]
	b.ForRows(0, b.Rows(), func(o int, in []int) {
		for i := 0; i < n; i++ {
			out[o+i] = src[in[0]+i*step]
		}
	})
	return out, nil
}

// normCast converts float64 values to T (nil stays nil).
func normCast[T tensor.Float](v []float64) []T {
	if v == nil {
		return nil
	}
	out := make([]T, len(v))
	for i, x := range v {
		out[i] = T(x)
	}
	return out
}

// normStash maps an ONNX stash_type (a TensorProto data type code) to the
// dtype of LayerNormalization's Mean and InvStdDev outputs.
func normStash(code int64) (tensor.DType, bool) {
	switch code {
	case 1:
		return tensor.Float32, true
	case 10:
		return tensor.Float16, true
	case 11:
		return tensor.Float64, true
	case 16:
		return tensor.BFloat16, true
	}
	return tensor.Undefined, false
}

// normGradF64 returns the upstream gradients as float64 slices (nil where
// an output's gradient is absent), padded to at least n entries.
func normGradF64(g []*tensor.Tensor, n int) ([][]float64, error) {
	out := make([][]float64, max(n, len(g)))
	for i, t := range g {
		if t == nil {
			continue
		}
		v, err := tensor.Float64s(t)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

// normReduceParam sums a gradient d laid out over shape down to the shape
// of parameter p (which broadcast to shape in the forward pass) and
// returns it in p's dtype.
func normReduceParam(d []float64, shape []int, p *tensor.Tensor) (*tensor.Tensor, error) {
	r, err := tensor.SumTo(tensor.MustFromSlice(shape, d), p.Shape())
	if err != nil {
		return nil, err
	}
	return tensor.Convert(r, p.DType())
}

// normOpt returns in[i], or nil when the node lists fewer inputs.
func normOpt(in []*tensor.Tensor, i int) *tensor.Tensor {
	if i < len(in) {
		return in[i]
	}
	return nil
}

// normGroups describes a normalisation over contiguous groups (Instance-
// and GroupNormalization): x holds `groups` groups of `l` elements, each
// group made of l/s blocks of s elements that share one affine parameter,
// whose index param(g, k) gives for block k of group g.
type normGroups struct {
	groups, l, s int
	param        func(g, k int) int
	eps          float64
}

// forward computes y = (x - μ_g)·σ_g⁻¹·scale[p] + bias[p] for every group.
func normGroupsForward[T tensor.Float](y, x []T, ng *normGroups, scale, bias []T) {
	parallel.For(ng.groups, max(1, normGrain/max(ng.l, 1)), func(lo, hi int) {
		for g := lo; g < hi; g++ {
			row := x[g*ng.l : (g+1)*ng.l]
			mu, v := normMeanVarContig(row)
			iv := 1 / math.Sqrt(v+ng.eps)
			for k := 0; k*ng.s < ng.l; k++ {
				p := ng.param(g, k)
				a := scale[p] * T(iv)
				b := bias[p] - T(mu)*a
				off := g*ng.l + k*ng.s
				src, dst := x[off:off+ng.s], y[off:off+ng.s]
				for i, xv := range src {
					dst[i] = xv*a + b
				}
			}
		}
	})
}

// normGroupsBackward returns dx, dscale and dbias (over nparams
// parameters) for upstream gradient gy, in float64.
func normGroupsBackward(x, gy []float64, ng *normGroups, scale []float64, nparams int) (dx, dscale, dbias []float64) {
	dx = make([]float64, len(x))
	blocks := 0
	if ng.s > 0 {
		blocks = ng.l / ng.s
	}
	ps := make([]float64, ng.groups*blocks) // per-block Σ g·x̂
	pb := make([]float64, ng.groups*blocks) // per-block Σ g
	m := float64(ng.l)
	parallel.For(ng.groups, max(1, normGrain/max(ng.l, 1)), func(lo, hi int) {
		for g := lo; g < hi; g++ {
			row := x[g*ng.l : (g+1)*ng.l]
			gr := gy[g*ng.l : (g+1)*ng.l]
			mu, v := normMeanVarContig(row)
			iv := 1 / math.Sqrt(v+ng.eps)
			sg, sgx := 0.0, 0.0
			for k := 0; k < blocks; k++ {
				sc := scale[ng.param(g, k)]
				bs, bsx := 0.0, 0.0
				for i := k * ng.s; i < (k+1)*ng.s; i++ {
					xh := (row[i] - mu) * iv
					bs += gr[i]
					bsx += gr[i] * xh
				}
				ps[g*blocks+k], pb[g*blocks+k] = bsx, bs
				sg += bs * sc
				sgx += bsx * sc
			}
			sg /= m
			sgx /= m
			d := dx[g*ng.l : (g+1)*ng.l]
			for k := 0; k < blocks; k++ {
				sc := scale[ng.param(g, k)]
				for i := k * ng.s; i < (k+1)*ng.s; i++ {
					xh := (row[i] - mu) * iv
					d[i] = iv * (gr[i]*sc - sg - xh*sgx)
				}
			}
		}
	})
	dscale, dbias = make([]float64, nparams), make([]float64, nparams)
	for g := 0; g < ng.groups; g++ {
		for k := 0; k < blocks; k++ {
			p := ng.param(g, k)
			dscale[p] += ps[g*blocks+k]
			dbias[p] += pb[g*blocks+k]
		}
	}
	return dx, dscale, dbias
}

// normRequired records a build error unless the node gives its first n
// inputs (an empty name omits an input, which these ops cannot do
// without).
func normRequired(b *runtime.BuildContext, op string, n int) error {
	for i := 0; i < n; i++ {
		if !b.HasInput(i) {
			return b.Errorf("%s: required input %d is missing", op, i)
		}
	}
	return nil
}

// normGroupsRun normalises in[0] over the groups of ng with per-group
// scale in[1] and bias in[2] (InstanceNormalization, GroupNormalization),
// computing in float32 or float64 and returning the input's dtype.
func normGroupsRun(name string, in []*tensor.Tensor, ng *normGroups) ([]*tensor.Tensor, error) {
	w, err := normWidenAll(name, in[0], in[1], in[2])
	if err != nil {
		return nil, err
	}
	x := in[0]
	var y *tensor.Tensor
	switch w[0].DType() {
	case tensor.Float32:
		y = tensor.Make[float32](x.Shape()...)
		normGroupsForward(tensor.Data[float32](y), tensor.Data[float32](w[0]), ng, tensor.Data[float32](w[1]), tensor.Data[float32](w[2]))
	case tensor.Float64:
		y = tensor.Make[float64](x.Shape()...)
		normGroupsForward(tensor.Data[float64](y), tensor.Data[float64](w[0]), ng, tensor.Data[float64](w[1]), tensor.Data[float64](w[2]))
	}
	return out1(tensor.Convert(y, x.DType()))
}

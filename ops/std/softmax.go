package std

import (
	"github.com/optnet-go/optnet/internal/parallel"
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// Softmax: y = exp(x - max) / Σ exp(x - max) along an axis. Opset 13
// normalises along the single axis `axis` (default -1); opsets 1 and 11
// coerce the input to 2-D [d0*…*d(axis-1), d(axis)*…*d(r-1)] (default
// axis 1) and normalise each row of that view. Float16 and bfloat16 are
// computed in float32. This file also holds the machinery LogSoftmax and
// Hardmax share (axis geometry, dtype dispatch).

func init() {
	register(
		&runtime.Op{Type: "Softmax", Since: 1, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1}, Build: buildSoftmaxFamily("Softmax", smSoftmax)},
		&runtime.Op{Type: "Softmax", Since: 13, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1}, Build: buildSoftmaxFamily("Softmax", smSoftmax)},
	)
}

// The members of the softmax family.
const (
	smSoftmax = iota
	smLogSoftmax
	smHardmax
)

// softmaxKernel serves Softmax, LogSoftmax and Hardmax.
type softmaxKernel struct {
	name   string
	mode   int
	axis   int64
	coerce bool // opset < 13: flatten to 2-D at axis
}

func buildSoftmaxFamily(name string, mode int) func(*runtime.BuildContext) (runtime.Kernel, error) {
	return func(b *runtime.BuildContext) (runtime.Kernel, error) {
		if err := normRequired(b, name, 1); err != nil {
			return nil, err
		}
		k := &softmaxKernel{name: name, mode: mode, coerce: b.Version < 13}
		if k.coerce {
			k.axis = b.Int("axis", 1)
		} else {
			k.axis = b.Int("axis", -1)
		}
		if mode == smHardmax {
			return &hardmaxKernel{k}, b.Err()
		}
		return k, b.Err()
	}
}

// geom returns the outer × n × inner split the op normalises over (along
// n).
func (k *softmaxKernel) geom(shape []int) (outer, n, inner int, err error) {
	r := len(shape)
	if k.coerce {
		a := int(k.axis)
		if a < 0 {
			a += r
		}
		if a < 0 || a > r {
			return 0, 0, 0, errShape("%s: axis %d out of range for rank %d", k.name, k.axis, r)
		}
		outer, n, inner = normFlatGeom(shape, a)
		return outer, n, inner, nil
	}
	a, err := normAxis(k.axis, r)
	if err != nil {
		return 0, 0, 0, err
	}
	outer, n, inner = normAxisGeom(shape, a)
	return outer, n, inner, nil
}

func (k *softmaxKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	x := in[0]
	outer, n, inner, err := k.geom(x.Shape())
	if err != nil {
		return nil, err
	}
	w, err := normWiden(k.name, x)
	if err != nil {
		return nil, err
	}
	var y *tensor.Tensor
	switch w.DType() {
	case tensor.Float32:
		y = tensor.Make[float32](x.Shape()...)
		softmaxForward(tensor.Data[float32](y), tensor.Data[float32](w), outer, n, inner, k.mode)
	case tensor.Float64:
		y = tensor.Make[float64](x.Shape()...)
		softmaxForward(tensor.Data[float64](y), tensor.Data[float64](w), outer, n, inner, k.mode)
	}
	return out1(tensor.Convert(y, x.DType()))
}

// InferShapes: same as the input.
func (k *softmaxKernel) InferShapes(in []runtime.Fact) ([]runtime.Fact, error) {
	return sameAsInput(0)(in)
}

// softmaxChunk is how many inner columns one work item of a strided
// (inner > 1) softmax handles at once.
const softmaxChunk = 256

// softmaxForward computes the op over every line of an outer × n × inner
// geometry.
func softmaxForward[T tensor.Float](dst, src []T, outer, n, inner, mode int) {
	if n == 0 || outer == 0 || inner == 0 {
		return
	}
	if inner == 1 {
		parallel.For(outer, max(1, normGrain/n), func(lo, hi int) {
			for o := lo; o < hi; o++ {
				softmaxRow(dst[o*n:(o+1)*n], src[o*n:(o+1)*n], mode)
			}
		})
		return
	}
	// Strided: process blocks of up to softmaxChunk columns of one outer
	// slice together, walking the axis row by row (contiguous reads).
	chunks := (inner + softmaxChunk - 1) / softmaxChunk
	items := outer * chunks
	parallel.For(items, max(1, normGrain/max(1, n*min(inner, softmaxChunk))), func(lo, hi int) {
		mx := make([]T, softmaxChunk)
		sum := make([]T, softmaxChunk)
		for it := lo; it < hi; it++ {
			o, c := it/chunks, it%chunks
			c0 := c * softmaxChunk
			w := min(softmaxChunk, inner-c0)
			base := o*n*inner + c0
			softmaxCols(dst, src, base, n, inner, w, mx[:w], sum[:w], mode)
		}
	})
}

// softmaxRow normalises one contiguous line.
func softmaxRow[T tensor.Float](dst, src []T, mode int) {
	m := src[0]
	for _, v := range src[1:] {
		if v > m {
			m = v
		}
	}
	var s T
	for i, v := range src {
		e := nExp(v - m)
		dst[i] = e
		s += e
	}
	if mode == smLogSoftmax {
		ls := nLog(s)
		for i, v := range src {
			dst[i] = (v - m) - ls
		}
		return
	}
	inv := 1 / s
	for i := range dst {
		dst[i] *= inv
	}
}

// softmaxCols normalises w adjacent strided lines starting at base (each
// of n elements with stride inner).
func softmaxCols[T tensor.Float](dst, src []T, base, n, inner, w int, mx, sum []T, mode int) {
	copy(mx, src[base:base+w])
	for i := 1; i < n; i++ {
		row := src[base+i*inner : base+i*inner+w]
		for j, v := range row {
			if v > mx[j] {
				mx[j] = v
			}
		}
	}
	for j := range sum {
		sum[j] = 0
	}
	for i := 0; i < n; i++ {
		p := base + i*inner
		row, out := src[p:p+w], dst[p:p+w]
		for j, v := range row {
			e := nExp(v - mx[j])
			out[j] = e
			sum[j] += e
		}
	}
	if mode == smLogSoftmax {
		for j := range sum {
			sum[j] = nLog(sum[j])
		}
		for i := 0; i < n; i++ {
			p := base + i*inner
			row, out := src[p:p+w], dst[p:p+w]
			for j, v := range row {
				out[j] = (v - mx[j]) - sum[j]
			}
		}
		return
	}
	for j := range sum {
		sum[j] = 1 / sum[j]
	}
	for i := 0; i < n; i++ {
		p := base + i*inner
		out := dst[p : p+w]
		for j := range out {
			out[j] *= sum[j]
		}
	}
}

// Backward: for Softmax dx = y ⊙ (g − Σ g⊙y), for LogSoftmax
// dx = g − exp(y) ⊙ Σ g, the sums running along the normalised axis (or
// the flattened row for opset < 13).
func (k *softmaxKernel) Backward(rc *runtime.RunContext, f *runtime.Forward, g []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if !f.NeedGrad[0] || g[0] == nil {
		return []*tensor.Tensor{nil}, nil
	}
	x := f.Inputs[0]
	outer, n, inner, err := k.geom(x.Shape())
	if err != nil {
		return nil, err
	}
	w, err := normWidenAll(k.name, f.Outputs[0], g[0])
	if err != nil {
		return nil, err
	}
	y, gy := w[0], w[1]
	if gy.DType() != y.DType() {
		if gy, err = tensor.Convert(gy, y.DType()); err != nil {
			return nil, err
		}
	}
	var dx *tensor.Tensor
	switch y.DType() {
	case tensor.Float32:
		dx = tensor.Make[float32](x.Shape()...)
		softmaxBackward(tensor.Data[float32](dx), tensor.Data[float32](y), tensor.Data[float32](gy), outer, n, inner, k.mode)
	case tensor.Float64:
		dx = tensor.Make[float64](x.Shape()...)
		softmaxBackward(tensor.Data[float64](dx), tensor.Data[float64](y), tensor.Data[float64](gy), outer, n, inner, k.mode)
	}
	r, err := tensor.Convert(dx, x.DType())
	return []*tensor.Tensor{r}, err
}

func softmaxBackward[T tensor.Float](dx, y, g []T, outer, n, inner, mode int) {
	normForLines(outer, n, inner, func(base int) {
		var s T
		if mode == smLogSoftmax {
			for i, p := 0, base; i < n; i, p = i+1, p+inner {
				s += g[p]
			}
			for i, p := 0, base; i < n; i, p = i+1, p+inner {
				dx[p] = g[p] - nExp(y[p])*s
			}
			return
		}
		for i, p := 0, base; i < n; i, p = i+1, p+inner {
			s += g[p] * y[p]
		}
		for i, p := 0, base; i < n; i, p = i+1, p+inner {
			dx[p] = y[p] * (g[p] - s)
		}
	})
}

package std

import (
	"math"

	"github.com/optnet-go/optnet/internal/parallel"
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// Shared machinery of the Reduce* ops: attribute/axes handling, the
// reduction engine and backward helpers. Each op's file registers it and
// holds its backward rule.
//
// The engine reduces over an arbitrary set of axes. It drops size-1 dims,
// merges neighbouring dims that are all reduced or all kept, and then
// reduces one reduced group at a time (innermost first) as an
// [outer, reduced, inner] problem: a contiguous fold when inner is 1, a
// row-by-row fold otherwise. Large problems are split over cores along the
// outer dim, the inner dim or the reduced dim (partial results combined
// afterwards), whichever gives enough parallel work.

// reduceAcc is an associative accumulator of the engine.
type reduceAcc int

const (
	accSum reduceAcc = iota
	accProd
	accMax
	accMin
)

// reduceFn names what a Reduce op computes.
type reduceFn int

const (
	redSum reduceFn = iota
	redMean
	redMax
	redMin
	redProd
	redL1
	redL2
	redLogSum
	redLogSumExp
	redSumSquare
)

// reduceKernel is the kernel shared by every Reduce op.
type reduceKernel struct {
	name string
	fn   reduceFn
	// axes from the attribute (axesInput false); nil means all axes.
	axes []int64
	// axesInput: the axes come from the optional second input (ReduceSum
	// from opset 13, the others from opset 18).
	axesInput bool
	keepdims  bool
	noop      bool // noop_with_empty_axes
}

// reduceRegs registers a Reduce op: its attribute form since opset 1 and
// its axes-input form since inputSince. wrap turns the shared kernel into
// the op's own kernel type (for its backward rule).
func reduceRegs(name string, fn reduceFn, inputSince int, wrap func(*reduceKernel) runtime.Kernel) []*runtime.Op {
	build := func(b *runtime.BuildContext) (runtime.Kernel, error) {
		k := &reduceKernel{name: name, fn: fn, keepdims: b.Int("keepdims", 1) != 0}
		if b.Version >= inputSince {
			k.axesInput = true
			k.noop = b.Int("noop_with_empty_axes", 0) != 0
			if b.HasAttr("axes") {
				return nil, b.Errorf("%s-%d takes its axes as an input, not an attribute", name, inputSince)
			}
		} else {
			k.axes = b.Ints("axes", nil)
		}
		if err := b.Err(); err != nil {
			return nil, err
		}
		return wrap(k), nil
	}
	return []*runtime.Op{
		{Type: name, Since: 1, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1}, Build: build},
		{Type: name, Since: inputSince, Inputs: [2]int{1, 2}, Outputs: [2]int{1, 1}, Build: build},
	}
}

// axesOf returns the axes to reduce for this run: nil for all axes, an
// empty (non-nil) slice for none.
func (k *reduceKernel) axesOf(in []*tensor.Tensor) ([]int64, error) {
	if !k.axesInput {
		return k.axes, nil
	}
	if len(in) < 2 || in[1] == nil || in[1].Len() == 0 {
		if k.noop {
			return []int64{}, nil
		}
		return nil, nil
	}
	a := in[1]
	if a.DType() != tensor.Int64 {
		return nil, errDType("%s axes must be int64, got %v", k.name, a.DType())
	}
	if a.Rank() > 1 {
		return nil, errShape("%s axes must be 1-D, got shape %v", k.name, a.Shape())
	}
	return tensor.Data[int64](a), nil
}

// reduceLayout describes one reduction of a tensor.
type reduceLayout struct {
	in    []int  // input shape
	red   []bool // red[i]: dim i is reduced
	keep  []int  // output shape with reduced dims kept as 1
	out   []int  // output shape (keep, or without the reduced dims)
	count int    // input elements reduced into each output element
}

// newReduceLayout validates axes (nil: all; empty: none) against shape.
func newReduceLayout(shape []int, axes []int64, keepdims bool) (*reduceLayout, error) {
	r := len(shape)
	l := &reduceLayout{in: shape, red: make([]bool, r), count: 1}
	if axes == nil {
		for i := range l.red {
			l.red[i] = true
		}
	}
	for _, a := range axes {
		ax, err := normAxis(a, r)
		if err != nil {
			return nil, err
		}
		if l.red[ax] {
			return nil, errShape("axis %d is given twice", a)
		}
		l.red[ax] = true
	}
	l.keep = make([]int, r)
	for i, d := range shape {
		if l.red[i] {
			l.keep[i] = 1
			l.count *= d
			if keepdims {
				l.out = append(l.out, 1)
			}
			continue
		}
		l.keep[i] = d
		l.out = append(l.out, d)
	}
	if l.out == nil {
		l.out = []int{}
	}
	return l, nil
}

func (k *reduceKernel) layout(in []*tensor.Tensor) (*reduceLayout, error) {
	axes, err := k.axesOf(in)
	if err != nil {
		return nil, err
	}
	return newReduceLayout(in[0].Shape(), axes, k.keepdims)
}

func (k *reduceKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	x := in[0]
	l, err := k.layout(in)
	if err != nil {
		return nil, err
	}
	switch x.DType() {
	case tensor.Float32:
		return out1(tensor.FromSlice(l.out, reduceFloat(tensor.Data[float32](x), l, k.fn)))
	case tensor.Float64:
		return out1(tensor.FromSlice(l.out, reduceFloat(tensor.Data[float64](x), l, k.fn)))
	case tensor.Float16, tensor.BFloat16:
		x32, err := tensor.Convert(x, tensor.Float32)
		if err != nil {
			return nil, err
		}
		r, err := tensor.FromSlice(l.out, reduceFloat(tensor.Data[float32](x32), l, k.fn))
		if err != nil {
			return nil, err
		}
		return out1(tensor.Convert(r, x.DType()))
	case tensor.Int8:
		return reduceIntTensor[int8](x, l, k.fn)
	case tensor.Int16:
		return reduceIntTensor[int16](x, l, k.fn)
	case tensor.Int32:
		return reduceIntTensor[int32](x, l, k.fn)
	case tensor.Int64:
		return reduceIntTensor[int64](x, l, k.fn)
	case tensor.Uint8:
		return reduceIntTensor[uint8](x, l, k.fn)
	case tensor.Uint16:
		return reduceIntTensor[uint16](x, l, k.fn)
	case tensor.Uint32:
		return reduceIntTensor[uint32](x, l, k.fn)
	case tensor.Uint64:
		return reduceIntTensor[uint64](x, l, k.fn)
	}
	return nil, errDType("%s does not support %v", k.name, x.DType())
}

// InferShapes predicts the output shape when the axes are known.
func (k *reduceKernel) InferShapes(in []runtime.Fact) ([]runtime.Fact, error) {
	f := runtime.Fact{DType: in[0].DType}
	if !in[0].HasShape {
		return []runtime.Fact{f}, nil
	}
	axes := k.axes
	if k.axesInput {
		switch {
		case len(in) < 2 || in[1].Absent:
			axes = nil
			if k.noop {
				axes = []int64{}
			}
		case in[1].Value != nil:
			t, err := k.axesOf([]*tensor.Tensor{nil, in[1].Value})
			if err != nil {
				return nil, err
			}
			axes = t
		default:
			if k.keepdims {
				f.Shape, f.HasShape = make([]int, len(in[0].Shape)), true
				for i := range f.Shape {
					f.Shape[i] = -1
				}
			}
			return []runtime.Fact{f}, nil
		}
	}
	l, err := newReduceLayout(in[0].Shape, axes, k.keepdims)
	if err != nil {
		return nil, err
	}
	f.Shape, f.HasShape = l.out, true // unknown kept dims stay -1
	return []runtime.Fact{f}, nil
}

// reduceIntTensor computes an integer reduction; functions that need
// real arithmetic (L2, LogSum, LogSumExp) go through float64 and truncate
// back, like a cast of the real result.
func reduceIntTensor[T tensor.Number](x *tensor.Tensor, l *reduceLayout, fn reduceFn) ([]*tensor.Tensor, error) {
	switch fn {
	case redL2, redLogSum, redLogSumExp:
		xf, err := tensor.Convert(x, tensor.Float64)
		if err != nil {
			return nil, err
		}
		r, err := tensor.FromSlice(l.out, reduceFloat(tensor.Data[float64](xf), l, fn))
		if err != nil {
			return nil, err
		}
		return out1(tensor.Convert(r, x.DType()))
	}
	src := tensor.Data[T](x)
	var out []T
	switch fn {
	case redSum:
		out = reduceData(src, l, accSum)
	case redMean:
		out = reduceData(src, l, accSum)
		if l.count > 0 {
			n := T(l.count)
			for i := range out {
				out[i] /= n
			}
		}
	case redMax:
		out = reduceData(src, l, accMax)
	case redMin:
		out = reduceData(src, l, accMin)
	case redProd:
		out = reduceData(src, l, accProd)
	case redL1:
		out = reduceData(redMapSlice(src, func(v T) T {
			if v < 0 {
				return -v
			}
			return v
		}), l, accSum)
	case redSumSquare:
		out = reduceData(redMapSlice(src, func(v T) T { return v * v }), l, accSum)
	}
	return out1(tensor.FromSlice(l.out, out))
}

// reduceFloat computes a floating-point reduction.
func reduceFloat[T tensor.Float](src []T, l *reduceLayout, fn reduceFn) []T {
	switch fn {
	case redSum:
		return reduceData(src, l, accSum)
	case redMean:
		out := reduceData(src, l, accSum)
		n := T(l.count)
		for i := range out {
			out[i] /= n
		}
		return out
	case redMax:
		return reduceData(src, l, accMax)
	case redMin:
		return reduceData(src, l, accMin)
	case redProd:
		return reduceData(src, l, accProd)
	case redL1:
		return reduceData(redMapSlice(src, func(v T) T { return T(math.Abs(float64(v))) }), l, accSum)
	case redSumSquare:
		return reduceData(redMapSlice(src, func(v T) T { return v * v }), l, accSum)
	case redL2:
		out := reduceData(redMapSlice(src, func(v T) T { return v * v }), l, accSum)
		for i, v := range out {
			out[i] = T(math.Sqrt(float64(v)))
		}
		return out
	case redLogSum:
		out := reduceData(src, l, accSum)
		for i, v := range out {
			out[i] = T(math.Log(float64(v)))
		}
		return out
	case redLogSumExp:
		return logSumExp(src, l)
	}
	panic("reduceFloat: unknown function")
}

// logSumExp computes log Σ exp(x) stably: m + log Σ exp(x - m) with m the
// maximum (0 where the maximum is infinite or NaN, which then propagates).
func logSumExp[T tensor.Float](src []T, l *reduceLayout) []T {
	m := reduceData(src, l, accMax)
	for i, v := range m {
		if math.IsInf(float64(v), 0) || v != v {
			m[i] = 0
		}
	}
	e := make([]T, len(src))
	if err := tensor.Map2(e, l.in, src, l.in, m, l.keep, func(x, s T) T { return T(math.Exp(float64(x - s))) }); err != nil {
		panic(err) // keep broadcasts to in by construction
	}
	s := reduceData(e, l, accSum)
	for i, v := range s {
		s[i] = T(math.Log(float64(v))) + m[i]
	}
	return s
}

// redMapSlice applies f to every element into a new slice.
func redMapSlice[T any](src []T, f func(T) T) []T {
	out := make([]T, len(src))
	parallel.For(len(out), reduceGrain, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			out[i] = f(src[i])
		}
	})
	return out
}

// reduceGrain is the number of elements below which a loop is not split.
const reduceGrain = 1 << 15

// accIdentity is the accumulator's value over an empty set.
func accIdentity[T tensor.Number](acc reduceAcc) T {
	var z T
	switch acc {
	case accProd:
		return 1
	case accMax:
		return redLowest[T]()
	case accMin:
		return redHighest[T]()
	}
	return z
}

// redLowest returns -Inf for floats, the minimum for integers.
func redLowest[T tensor.Number]() T {
	var z T
	var v any
	switch any(z).(type) {
	case float32:
		v = float32(math.Inf(-1))
	case float64:
		v = math.Inf(-1)
	case int8:
		v = int8(math.MinInt8)
	case int16:
		v = int16(math.MinInt16)
	case int32:
		v = int32(math.MinInt32)
	case int64:
		v = int64(math.MinInt64)
	default:
		return 0 // unsigned
	}
	return v.(T)
}

// redHighest returns +Inf for floats, the maximum for integers.
func redHighest[T tensor.Number]() T {
	var z T
	var v any
	switch any(z).(type) {
	case float32:
		v = float32(math.Inf(1))
	case float64:
		v = math.Inf(1)
	case int8:
		v = int8(math.MaxInt8)
	case int16:
		v = int16(math.MaxInt16)
	case int32:
		v = int32(math.MaxInt32)
	case int64:
		v = int64(math.MaxInt64)
	case uint8:
		v = uint8(math.MaxUint8)
	case uint16:
		v = uint16(math.MaxUint16)
	case uint32:
		v = uint32(math.MaxUint32)
	default:
		v = uint64(math.MaxUint64)
	}
	return v.(T)
}

// rgroup is a run of merged dims, all reduced or all kept.
type rgroup struct {
	n   int
	red bool
}

// reduceData reduces src (shape l.in) over l's reduced dims with acc and
// returns a new slice in the row-major order of l.keep.
func reduceData[T tensor.Number](src []T, l *reduceLayout, acc reduceAcc) []T {
	nout := 1
	for _, d := range l.keep {
		nout *= d
	}
	if len(src) == 0 {
		out := make([]T, nout)
		if id := accIdentity[T](acc); id != 0 {
			for i := range out {
				out[i] = id
			}
		}
		return out
	}
	var gs []rgroup
	for i, d := range l.in {
		if d == 1 {
			continue
		}
		if n := len(gs); n > 0 && gs[n-1].red == l.red[i] {
			gs[n-1].n *= d
			continue
		}
		gs = append(gs, rgroup{d, l.red[i]})
	}
	cur := src
	for {
		j := -1
		for i, g := range gs {
			if g.red {
				j = i
			}
		}
		if j < 0 {
			break
		}
		outer, inner := 1, 1
		for _, g := range gs[:j] {
			outer *= g.n
		}
		for _, g := range gs[j+1:] {
			inner *= g.n
		}
		dst := make([]T, outer*inner)
		reducePass(dst, cur, outer, gs[j].n, inner, acc)
		cur = dst
		// Drop the group; merge its kept neighbours.
		if j > 0 && j+1 < len(gs) && !gs[j-1].red {
			gs[j-1].n *= gs[j+1].n
			gs = append(gs[:j], gs[j+2:]...)
		} else {
			gs = append(gs[:j], gs[j+1:]...)
		}
	}
	if len(cur) > 0 && &cur[0] == &src[0] {
		cur = append([]T(nil), src...)
	}
	return cur
}

// reducePass computes dst[o*I+i] = acc over r of src[(o*R+r)*I+i].
func reducePass[T tensor.Number](dst, src []T, O, R, I int, acc reduceAcc) {
	total := O * R * I
	w := parallel.Workers()
	if I == 1 {
		if O >= w || total < 2*reduceGrain {
			parallel.For(O, max(1, reduceGrain/max(1, R)), func(lo, hi int) {
				for o := lo; o < hi; o++ {
					dst[o] = foldContig(src[o*R:(o+1)*R], acc)
				}
			})
			return
		}
		// Few long rows: split each row, then fold the partial results.
		chunk := max(reduceGrain, (R+4*w-1)/(4*w))
		nch := (R + chunk - 1) / chunk
		parts := make([]T, nch)
		for o := 0; o < O; o++ {
			row := src[o*R : (o+1)*R]
			parallel.For(nch, 1, func(lo, hi int) {
				for c := lo; c < hi; c++ {
					parts[c] = foldContig(row[c*chunk:min((c+1)*chunk, R)], acc)
				}
			})
			dst[o] = foldContig(parts, acc)
		}
		return
	}
	switch {
	case O >= w || total < 2*reduceGrain:
		parallel.For(O, max(1, reduceGrain/max(1, R*I)), func(lo, hi int) {
			for o := lo; o < hi; o++ {
				foldRows(dst[o*I:(o+1)*I], src[o*R*I:], R, I, acc)
			}
		})
	case I >= 2*w*64:
		// Split the columns.
		parallel.For(I, max(64, reduceGrain/max(1, R*O)), func(lo, hi int) {
			for o := 0; o < O; o++ {
				foldRows(dst[o*I+lo:o*I+hi], src[o*R*I+lo:], R, I, acc)
			}
		})
	default:
		// Split the reduced dim into chunks with partial outputs.
		chunk := max(1, (R+w-1)/w)
		nch := (R + chunk - 1) / chunk
		n := O * I
		parts := make([]T, nch*n)
		parallel.For(nch, 1, func(lo, hi int) {
			for c := lo; c < hi; c++ {
				r0, r1 := c*chunk, min((c+1)*chunk, R)
				for o := 0; o < O; o++ {
					foldRows(parts[c*n+o*I:c*n+(o+1)*I], src[(o*R+r0)*I:], r1-r0, I, acc)
				}
			}
		})
		foldRows(dst, parts, nch, n, acc)
	}
}

// foldContig folds a non-empty contiguous run.
func foldContig[T tensor.Number](s []T, acc reduceAcc) T {
	switch acc {
	case accSum:
		if f, ok := any(s).([]float32); ok {
			// Accumulate float32 in float64 for accuracy.
			var a0, a1 float64
			i := 0
			for ; i+2 <= len(f); i += 2 {
				a0 += float64(f[i])
				a1 += float64(f[i+1])
			}
			if i < len(f) {
				a0 += float64(f[i])
			}
			return T(float32(a0 + a1))
		}
		var a0, a1, a2, a3 T
		i := 0
		for ; i+4 <= len(s); i += 4 {
			a0 += s[i]
			a1 += s[i+1]
			a2 += s[i+2]
			a3 += s[i+3]
		}
		for ; i < len(s); i++ {
			a0 += s[i]
		}
		return (a0 + a1) + (a2 + a3)
	case accProd:
		p := s[0]
		for _, v := range s[1:] {
			p *= v
		}
		return p
	case accMax:
		m := s[0]
		for _, v := range s[1:] {
			m = max(m, v) // the builtin propagates NaN
		}
		return m
	case accMin:
		m := s[0]
		for _, v := range s[1:] {
			m = min(m, v)
		}
		return m
	}
	panic("foldContig: unknown accumulator")
}

// foldRows sets dst[i] = acc over r < R of src[r*stride+i] (R >= 1).
func foldRows[T tensor.Number](dst, src []T, R, stride int, acc reduceAcc) {
	n := len(dst)
	copy(dst, src[:n])
	for r := 1; r < R; r++ {
		row := src[r*stride : r*stride+n]
		switch acc {
		case accSum:
			for i, v := range row {
				dst[i] += v
			}
		case accProd:
			for i, v := range row {
				dst[i] *= v
			}
		case accMax:
			for i, v := range row {
				dst[i] = max(dst[i], v)
			}
		case accMin:
			for i, v := range row {
				dst[i] = min(dst[i], v)
			}
		}
	}
}

// redIsNaN reports whether v is a floating-point NaN (never for integers).
func redIsNaN[T tensor.Number](v T) bool { return v != v }

// --- backward helpers ---

// reduceBackward returns the gradient of a reduction for input x (float32
// or float64) given the output y and its gradient g:
// dx = f(x, y, g) elementwise, y and g broadcast from the keepdims shape.
func reduceBackward(x, y, g *tensor.Tensor, l *reduceLayout, f32 func(x, y, g float32) float32, f64 func(x, y, g float64) float64) (*tensor.Tensor, error) {
	switch x.DType() {
	case tensor.Float32:
		return reduceGradMap(x, y, g, l, f32)
	case tensor.Float64:
		return reduceGradMap(x, y, g, l, f64)
	}
	return nil, errDType("reduction gradient for %v", x.DType())
}

type yg[T any] struct{ y, g T }

func reduceGradMap[T tensor.Float](x, y, g *tensor.Tensor, l *reduceLayout, f func(x, y, g T) T) (*tensor.Tensor, error) {
	if g.DType() != x.DType() || g.Len() != y.Len() {
		return nil, errShape("gradient %v for output %v", g, y)
	}
	yd, gd := tensor.Data[T](y), tensor.Data[T](g)
	pairs := make([]yg[T], len(yd))
	for i := range pairs {
		pairs[i] = yg[T]{yd[i], gd[i]}
	}
	out := tensor.Make[T](l.in...)
	err := tensor.Map2(tensor.Data[T](out), l.in, tensor.Data[T](x), l.in, pairs, l.keep,
		func(x T, p yg[T]) T { return f(x, p.y, p.g) })
	return out, err
}

// reduceSelectGrad routes each output's gradient to the first input
// element, in row-major order, that equals the output (ReduceMax,
// ReduceMin: the position that was selected; on ties the first one gets
// the whole gradient, the others none).
func reduceSelectGrad(x, y, g *tensor.Tensor, l *reduceLayout) (*tensor.Tensor, error) {
	switch x.DType() {
	case tensor.Float32:
		return selectGrad[float32](x, y, g, l)
	case tensor.Float64:
		return selectGrad[float64](x, y, g, l)
	}
	return nil, errDType("reduction gradient for %v", x.DType())
}

func selectGrad[T tensor.Float](x, y, g *tensor.Tensor, l *reduceLayout) (*tensor.Tensor, error) {
	if g.DType() != x.DType() || g.Len() != y.Len() {
		return nil, errShape("gradient %v for output %v", g, y)
	}
	xd, yd, gd := tensor.Data[T](x), tensor.Data[T](y), tensor.Data[T](g)
	out := tensor.Make[T](l.in...)
	od := tensor.Data[T](out)
	done := make([]bool, len(yd))
	// Strides of the keepdims output, 0 along reduced dims.
	ks := tensor.Strides(l.keep)
	for i := range ks {
		if l.red[i] {
			ks[i] = 0
		}
	}
	idx := make([]int, len(l.in))
	o := 0
	for i, v := range xd {
		if !done[o] && (v == yd[o] || (v != v && yd[o] != yd[o])) {
			done[o] = true
			od[i] = gd[o]
		}
		// Advance the odometer.
		for d := len(idx) - 1; d >= 0; d-- {
			idx[d]++
			o += ks[d]
			if idx[d] < l.in[d] {
				break
			}
			o -= ks[d] * l.in[d]
			idx[d] = 0
		}
	}
	return out, nil
}

// reduceGrad is the Backward of a Reduce op whose input gradient is
// elementwise in (x, y, gy): it returns one gradient per node input (none
// for the axes input).
func reduceGrad(k *reduceKernel, f *runtime.Forward, g []*tensor.Tensor, f32 func(x, y, g float32) float32, f64 func(x, y, g float64) float64) ([]*tensor.Tensor, error) {
	grads := make([]*tensor.Tensor, len(f.Inputs))
	if !f.NeedGrad[0] || g[0] == nil {
		return grads, nil
	}
	l, err := k.layout(f.Inputs)
	if err != nil {
		return nil, err
	}
	grads[0], err = reduceBackward(f.Inputs[0], f.Outputs[0], g[0], l, f32, f64)
	return grads, err
}

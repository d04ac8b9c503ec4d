package std

import (
	"math"

	"github.com/optnet-go/optnet/internal/parallel"
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// Shared machinery of the elementwise family (math, activations,
// comparisons, logic, casts): unary kernels that run chunk loops split
// across cores, a parallel generalisation of arith.go's binary row
// application, the legacy (opset < 7) broadcast attributes for ops outside
// arith.go, comparison rows, and gradient helpers. Names carry an "ew"
// prefix to stay clear of other op families in this package.

// Grain sizes (elements per parallel chunk): cheap ops need more elements
// per goroutine to pay for it than transcendental ones.
const (
	ewGrainCheap = 1 << 15
	ewGrainMath  = 1 << 12
)

// ewParFor runs fn over [0, n) in chunks of at least grain elements.
func ewParFor(n, grain int, fn func(lo, hi int)) { parallel.For(n, grain, fn) }

// ewUnaryFns holds one unary op's chunk kernels: dst[i] = f(src[i]). A nil
// entry means the dtype is not supported; float16 and bfloat16 are
// computed through f32. other, if set, handles the remaining dtypes
// (integers) and reports false for the ones it does not support.
type ewUnaryFns struct {
	f32   func(dst, src []float32)
	f64   func(dst, src []float64)
	other func(x *tensor.Tensor) (*tensor.Tensor, bool)
	grain int
}

// ewMap returns f applied chunk-wise to x's elements, split across cores.
func ewMap[T tensor.Elem](x *tensor.Tensor, grain int, f func(dst, src []T)) *tensor.Tensor {
	src := tensor.Data[T](x)
	out := tensor.Make[T](x.Shape()...)
	dst := tensor.Data[T](out)
	if grain <= 0 {
		grain = ewGrainMath
	}
	ewParFor(len(src), grain, func(lo, hi int) { f(dst[lo:hi], src[lo:hi]) })
	return out
}

// ewMapElem is ewMap for a per-element function (for the rarely used
// dtypes and ops, where a call per element does not matter).
func ewMapElem[T, R tensor.Elem](x *tensor.Tensor, f func(T) R) *tensor.Tensor {
	src := tensor.Data[T](x)
	out := tensor.Make[R](x.Shape()...)
	dst := tensor.Data[R](out)
	ewParFor(len(src), ewGrainMath, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			dst[i] = f(src[i])
		}
	})
	return out
}

// ewChunk turns a per-element function into a chunk kernel.
func ewChunk[T any](f func(T) T) func(dst, src []T) {
	return func(dst, src []T) {
		src = src[:len(dst)]
		for i, v := range src {
			dst[i] = f(v)
		}
	}
}

// ewFloatFns builds float32/float64 chunk kernels from one float64
// function (the float32 kernel computes in float64 and rounds once).
func ewFloatFns(f func(float64) float64, grain int) ewUnaryFns {
	return ewUnaryFns{
		f32: func(dst, src []float32) {
			src = src[:len(dst)]
			for i, v := range src {
				dst[i] = float32(f(float64(v)))
			}
		},
		f64:   ewChunk(f),
		grain: grain,
	}
}

// ewUnaryRun applies fns to x.
func ewUnaryRun(name string, fns *ewUnaryFns, x *tensor.Tensor) (*tensor.Tensor, error) {
	switch x.DType() {
	case tensor.Float32:
		if fns.f32 != nil {
			return ewMap(x, fns.grain, fns.f32), nil
		}
	case tensor.Float64:
		if fns.f64 != nil {
			return ewMap(x, fns.grain, fns.f64), nil
		}
	case tensor.Float16, tensor.BFloat16:
		if fns.f32 != nil {
			x32, err := tensor.Convert(x, tensor.Float32)
			if err != nil {
				return nil, err
			}
			return tensor.Convert(ewMap(x32, fns.grain, fns.f32), x.DType())
		}
	}
	if fns.other != nil {
		if y, ok := fns.other(x); ok {
			return y, nil
		}
	}
	return nil, errDType("%s does not support %v", name, x.DType())
}

// ewUnaryKernel is the kernel of a unary op without a backward rule.
type ewUnaryKernel struct {
	name string
	fns  ewUnaryFns
}

func (k *ewUnaryKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	return out1(ewUnaryRun(k.name, &k.fns, in[0]))
}

// InferShapes: same as the input.
func (k *ewUnaryKernel) InferShapes(in []runtime.Fact) ([]runtime.Fact, error) {
	return sameAsInput(0)(in)
}

// ewUnaryGradKernel is a unary op whose derivative is a function of the
// input x and output y: dx = gy * deriv(x, y).
type ewUnaryGradKernel struct {
	ewUnaryKernel
	deriv func(x, y float64) float64
}

// Backward multiplies the upstream gradient by the op's derivative.
func (k *ewUnaryGradKernel) Backward(rc *runtime.RunContext, f *runtime.Forward, g []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if !f.NeedGrad[0] || g[0] == nil {
		return []*tensor.Tensor{nil}, nil
	}
	return out1(ewUnaryGrad(k.name, f.Inputs[0], f.Outputs[0], g[0], k.deriv))
}

// ewUnaryGrad returns gy * deriv(x, y) elementwise (float32 or float64).
func ewUnaryGrad(name string, x, y, gy *tensor.Tensor, deriv func(x, y float64) float64) (*tensor.Tensor, error) {
	if gy.DType() != x.DType() || !tensor.SameShape(gy.Shape(), x.Shape()) {
		return nil, errShape("%s gradient %v for input %v", name, gy, x)
	}
	switch x.DType() {
	case tensor.Float32:
		return ewGradLoop[float32](x, y, gy, deriv), nil
	case tensor.Float64:
		return ewGradLoop[float64](x, y, gy, deriv), nil
	}
	return nil, errDType("%s gradient for %v", name, x.DType())
}

func ewGradLoop[T tensor.Float](x, y, gy *tensor.Tensor, deriv func(x, y float64) float64) *tensor.Tensor {
	xs, g := tensor.Data[T](x), tensor.Data[T](gy)
	var ys []T
	if y != nil {
		ys = tensor.Data[T](y)
	}
	out := tensor.Make[T](x.Shape()...)
	d := tensor.Data[T](out)
	ewParFor(len(xs), ewGrainMath, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			var yv float64
			if ys != nil {
				yv = float64(ys[i])
			}
			d[i] = T(float64(g[i]) * deriv(float64(xs[i]), yv))
		}
	})
	return out
}

// ewBinaryPar is tensor.Binary split across cores: it computes
// out = row(a, b) over the broadcast of a's and b's shapes into outShape.
func ewBinaryPar[A, B, C any](out []C, outShape []int, a []A, aShape []int, b []B, bShape []int, grain int,
	row func(dst []C, a []A, sa int, b []B, sb int)) error {
	n := len(out)
	if n < 2*grain || parallel.Workers() < 2 {
		return tensor.Binary(out, outShape, a, aShape, b, bShape, row)
	}
	if tensor.SameShape(aShape, outShape) && tensor.SameShape(bShape, outShape) {
		ewParFor(n, grain, func(lo, hi int) { row(out[lo:hi], a[lo:hi], 1, b[lo:hi], 1) })
		return nil
	}
	bc, err := tensor.NewBroadcaster(outShape, aShape, bShape)
	if err != nil {
		return err
	}
	rl, rows := bc.RowLen(), bc.Rows()
	sa, sb := bc.Steps()[0], bc.Steps()[1]
	if rows >= 2*parallel.Workers() {
		ewParFor(rows, max(1, grain/max(rl, 1)), func(lo, hi int) {
			bc.ForRows(lo, hi, func(o int, in []int) {
				row(out[o:o+rl], a[in[0]:], sa, b[in[1]:], sb)
			})
		})
		return nil
	}
	// Few long rows: split each row.
	bc.ForRows(0, rows, func(o int, in []int) {
		ia, ib := in[0], in[1]
		ewParFor(rl, grain, func(lo, hi int) {
			row(out[o+lo:o+hi], a[ia+lo*sa:], sa, b[ib+lo*sb:], sb)
		})
	})
	return nil
}

// ewRowsPar calls fn(o, in, lo, hi) for the elements [lo, hi) of every row
// of bc (o and in as in Broadcaster.ForRows; fn must not keep in), split
// across cores: by rows when there are many, else within each row.
func ewRowsPar(bc *tensor.Broadcaster, grain int, fn func(o int, in []int, lo, hi int)) {
	rl, rows := bc.RowLen(), bc.Rows()
	if rows*rl < 2*grain || parallel.Workers() < 2 {
		bc.ForRows(0, rows, func(o int, in []int) { fn(o, in, 0, rl) })
		return
	}
	if rows >= 2*parallel.Workers() {
		ewParFor(rows, max(1, grain/max(rl, 1)), func(lo, hi int) {
			bc.ForRows(lo, hi, func(o int, in []int) { fn(o, in, 0, rl) })
		})
		return
	}
	bc.ForRows(0, rows, func(o int, in []int) {
		ewParFor(rl, grain, func(lo, hi int) { fn(o, in, lo, hi) })
	})
}

// ewCheckOut refuses, with runtime.ErrTooLarge, a broadcast whose output
// would exceed the run's size limit (small inputs such as (n,1) and (1,n)
// can ask for a huge output). Shapes that do not broadcast are left for
// the op to report (legacy broadcasting reshapes them first).
func ewCheckOut(rc *runtime.RunContext, in []*tensor.Tensor) error {
	var shapes [][]int
	dt := tensor.Undefined
	for _, t := range in {
		if t != nil {
			shapes = append(shapes, t.Shape())
			if dt == tensor.Undefined {
				dt = t.DType()
			}
		}
	}
	if len(shapes) < 2 {
		return nil
	}
	shape, err := tensor.BroadcastShape(shapes...)
	if err != nil {
		return nil
	}
	return rc.CheckSize(dt, shape)
}

// ewLegacy holds the opset < 7 broadcast attributes of a binary op.
type ewLegacy struct {
	on   bool
	axis int
}

// ewReadLegacy reads broadcast/axis for nodes bound below opset 7.
func ewReadLegacy(b *runtime.BuildContext) ewLegacy {
	if b.Version < 7 && b.Int("broadcast", 0) == 1 {
		return ewLegacy{on: true, axis: int(b.Int("axis", -1))}
	}
	return ewLegacy{axis: -1}
}

// apply returns b reshaped so NumPy broadcasting gives the legacy rule.
func (l ewLegacy) apply(a, b *tensor.Tensor) (*tensor.Tensor, error) {
	if !l.on {
		return b, nil
	}
	return legacyBroadcast(a, b, l.axis)
}

// ewLegacyIf returns b reshaped by the legacy broadcast rule when on.
func ewLegacyIf(on bool, axis int, a, b *tensor.Tensor) (*tensor.Tensor, error) {
	if !on {
		return b, nil
	}
	return legacyBroadcast(a, b, axis)
}

// ewSumToInput reduces a full-size gradient g to input x's shape; shape is
// x's shape as the forward broadcast it (differs from x's own only under
// legacy broadcasting).
func ewSumToInput(g *tensor.Tensor, x *tensor.Tensor, shape []int) (*tensor.Tensor, error) {
	r, err := tensor.SumTo(g, shape)
	if err != nil {
		return nil, err
	}
	if !tensor.SameShape(r.Shape(), x.Shape()) {
		return r.Reshape(x.Shape()...)
	}
	return r, nil
}

// Comparisons.

// ewCmpOp selects a comparison.
type ewCmpOp int

const (
	ewEq ewCmpOp = iota
	ewLt
	ewGt
	ewLe
	ewGe
)

// ewOrdered is the element types with an order (and strings).
type ewOrdered interface {
	float32 | float64 | int8 | int16 | int32 | int64 |
		uint8 | uint16 | uint32 | uint64 | string
}

// ewInteger is the integer element types.
type ewInteger interface {
	int8 | int16 | int32 | int64 | uint8 | uint16 | uint32 | uint64
}

// ewCompareRow returns a row kernel computing dst[i] = a op b.
func ewCompareRow[T ewOrdered](op ewCmpOp) func(dst []bool, a []T, sa int, b []T, sb int) {
	return func(dst []bool, a []T, sa int, b []T, sb int) {
		ia, ib := 0, 0
		switch op {
		case ewEq:
			for i := range dst {
				dst[i] = a[ia] == b[ib]
				ia += sa
				ib += sb
			}
		case ewLt:
			for i := range dst {
				dst[i] = a[ia] < b[ib]
				ia += sa
				ib += sb
			}
		case ewGt:
			for i := range dst {
				dst[i] = a[ia] > b[ib]
				ia += sa
				ib += sb
			}
		case ewLe:
			for i := range dst {
				dst[i] = a[ia] <= b[ib]
				ia += sa
				ib += sb
			}
		case ewGe:
			for i := range dst {
				dst[i] = a[ia] >= b[ib]
				ia += sa
				ib += sb
			}
		}
	}
}

// ewCompareT compares two tensors of element type T.
func ewCompareT[T ewOrdered](op ewCmpOp, a, b *tensor.Tensor) (*tensor.Tensor, error) {
	shape, err := tensor.BroadcastShape(a.Shape(), b.Shape())
	if err != nil {
		return nil, err
	}
	out := tensor.Make[bool](shape...)
	err = ewBinaryPar(tensor.Data[bool](out), shape, tensor.Data[T](a), a.Shape(), tensor.Data[T](b), b.Shape(), ewGrainCheap, ewCompareRow[T](op))
	return out, err
}

// ewCompare compares a and b (same dtype) elementwise with broadcasting.
// Equality also accepts bool and string tensors.
func ewCompare(name string, op ewCmpOp, a, b *tensor.Tensor) (*tensor.Tensor, error) {
	if a.DType() != b.DType() {
		return nil, errDType("%s of %v and %v", name, a.DType(), b.DType())
	}
	switch a.DType() {
	case tensor.Float32:
		return ewCompareT[float32](op, a, b)
	case tensor.Float64:
		return ewCompareT[float64](op, a, b)
	case tensor.Float16, tensor.BFloat16:
		x, err := tensor.Convert(a, tensor.Float32)
		if err != nil {
			return nil, err
		}
		y, err := tensor.Convert(b, tensor.Float32)
		if err != nil {
			return nil, err
		}
		return ewCompareT[float32](op, x, y)
	case tensor.Int8:
		return ewCompareT[int8](op, a, b)
	case tensor.Int16:
		return ewCompareT[int16](op, a, b)
	case tensor.Int32:
		return ewCompareT[int32](op, a, b)
	case tensor.Int64:
		return ewCompareT[int64](op, a, b)
	case tensor.Uint8:
		return ewCompareT[uint8](op, a, b)
	case tensor.Uint16:
		return ewCompareT[uint16](op, a, b)
	case tensor.Uint32:
		return ewCompareT[uint32](op, a, b)
	case tensor.Uint64:
		return ewCompareT[uint64](op, a, b)
	case tensor.String:
		if op == ewEq {
			return ewCompareT[string](op, a, b)
		}
	case tensor.Bool:
		if op == ewEq {
			return map2(a, b, func(x, y bool) bool { return x == y })
		}
	}
	return nil, errDType("%s does not support %v", name, a.DType())
}

// ewCompareKernel is the kernel of Equal, Less, Greater, LessOrEqual and
// GreaterOrEqual.
type ewCompareKernel struct {
	name string
	op   ewCmpOp
	leg  ewLegacy
}

// ewBuildCompare returns the Build function of a comparison op.
func ewBuildCompare(name string, op ewCmpOp) func(*runtime.BuildContext) (runtime.Kernel, error) {
	return func(b *runtime.BuildContext) (runtime.Kernel, error) {
		return &ewCompareKernel{name: name, op: op, leg: ewReadLegacy(b)}, b.Err()
	}
}

func (k *ewCompareKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if err := ewCheckOut(rc, in); err != nil {
		return nil, err
	}
	b, err := k.leg.apply(in[0], in[1])
	if err != nil {
		return nil, err
	}
	return out1(ewCompare(k.name, k.op, in[0], b))
}

// InferShapes: the broadcast shape, bool.
func (k *ewCompareKernel) InferShapes(in []runtime.Fact) ([]runtime.Fact, error) {
	if k.leg.on {
		f := in[0]
		f.Value, f.DType = nil, tensor.Bool
		return []runtime.Fact{f}, nil
	}
	return broadcastFacts(in, tensor.Bool)
}

// Boolean logic.

// ewLogicKernel is the kernel of And, Or and Xor.
type ewLogicKernel struct {
	name string
	f    func(x, y bool) bool
	leg  ewLegacy
}

func (k *ewLogicKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if err := ewCheckOut(rc, in); err != nil {
		return nil, err
	}
	a, b := in[0], in[1]
	if a.DType() != tensor.Bool || b.DType() != tensor.Bool {
		return nil, errDType("%s needs bool inputs, got %v and %v", k.name, a.DType(), b.DType())
	}
	b, err := k.leg.apply(a, b)
	if err != nil {
		return nil, err
	}
	return out1(map2(a, b, k.f))
}

// InferShapes: the broadcast shape, bool.
func (k *ewLogicKernel) InferShapes(in []runtime.Fact) ([]runtime.Fact, error) {
	if k.leg.on {
		f := in[0]
		f.Value, f.DType = nil, tensor.Bool
		return []runtime.Fact{f}, nil
	}
	return broadcastFacts(in, tensor.Bool)
}

// ewBuildLogic returns the Build function of a logic op.
func ewBuildLogic(name string, f func(x, y bool) bool) func(*runtime.BuildContext) (runtime.Kernel, error) {
	return func(b *runtime.BuildContext) (runtime.Kernel, error) {
		return &ewLogicKernel{name: name, f: f, leg: ewReadLegacy(b)}, b.Err()
	}
}

// Small numeric helpers.

// ewHasZero reports whether an integer tensor holds a zero (integer
// division and modulus by zero are errors).
func ewHasZero(t *tensor.Tensor) bool {
	switch d := t.Raw().(type) {
	case []int8:
		return ewContainsZero(d)
	case []int16:
		return ewContainsZero(d)
	case []int32:
		return ewContainsZero(d)
	case []int64:
		return ewContainsZero(d)
	case []uint8:
		return ewContainsZero(d)
	case []uint16:
		return ewContainsZero(d)
	case []uint32:
		return ewContainsZero(d)
	case []uint64:
		return ewContainsZero(d)
	}
	return false
}

func ewContainsZero[T tensor.Number](d []T) bool {
	for _, v := range d {
		if v == 0 {
			return true
		}
	}
	return false
}

// ewCheckNonZero is the integer-divisor check of Div and Mod.
func ewCheckNonZero(name string) func(*tensor.Tensor) error {
	return func(b *tensor.Tensor) error {
		if ewHasZero(b) {
			return errShape("%s: integer division by zero", name)
		}
		return nil
	}
}

// ewFloatGrad checks that a forward input is float32/float64, which the
// backward rules of this family support.
func ewFloatGrad(name string, ts ...*tensor.Tensor) error {
	for _, t := range ts {
		if t != nil && t.DType() != tensor.Float32 && t.DType() != tensor.Float64 {
			return errDType("%s gradient for %v", name, t.DType())
		}
	}
	return nil
}

// ewFloat64s returns a float tensor's elements as float64 (a copy unless
// it is float64 already; callers do not modify the result).
func ewFloat64s(t *tensor.Tensor) []float64 {
	f, _ := tensor.Float64s(t)
	return f
}

// ewFromFloat64s returns a tensor of dtype dt (float32 or float64) with
// the given values.
func ewFromFloat64s(dt tensor.DType, shape []int, v []float64) *tensor.Tensor {
	if dt == tensor.Float64 {
		return tensor.MustFromSlice(shape, v)
	}
	out := tensor.Make[float32](shape...)
	d := tensor.Data[float32](out)
	for i, x := range v {
		d[i] = float32(x)
	}
	return out
}

// ewTruncInt64 truncates v toward zero, mapping NaN to 0 and saturating
// out-of-range values (Go leaves those conversions implementation-defined).
func ewTruncInt64(v float64) int64 {
	switch {
	case v != v:
		return 0
	case v >= 9.223372036854775807e18:
		return math.MaxInt64
	case v <= -9.223372036854775808e18:
		return math.MinInt64
	}
	return int64(v)
}

// ewBinaryGrads is the backward pass of a binary elementwise op y = f(a, b)
// in float64: for every element of the broadcast output it adds
// g*da(a, b, y) to a's gradient and g*db(a, b, y) to b's, so the sums over
// broadcast axes happen in the same pass. bShape is b's shape as the
// forward broadcast it (see ewLegacyIf); y may be nil when the derivatives
// do not use it. A nil da or db skips that gradient. The gradients get
// their input's dtype (float32 or float64).
func ewBinaryGrads(a, b *tensor.Tensor, bShape []int, y, g *tensor.Tensor,
	da, db func(a, b, y float64) float64) (ga, gb *tensor.Tensor, err error) {
	if err := ewFloatGrad("binary op", g); err != nil {
		return nil, nil, err
	}
	shape := g.Shape()
	bc, err := tensor.NewBroadcaster(shape, a.Shape(), bShape)
	if err != nil {
		return nil, nil, err
	}
	av, bv, gv := ewFloat64s(a), ewFloat64s(b), ewFloat64s(g)
	var yv []float64
	if y != nil {
		yv = ewFloat64s(y)
	}
	var sa, sb []float64
	if da != nil {
		sa = make([]float64, len(av))
	}
	if db != nil {
		sb = make([]float64, len(bv))
	}
	rl := bc.RowLen()
	stA, stB := bc.Steps()[0], bc.Steps()[1]
	bc.ForRows(0, bc.Rows(), func(o int, in []int) {
		ia, ib := in[0], in[1]
		for i := 0; i < rl; i++ {
			x, z, w := av[ia], bv[ib], 0.0
			if yv != nil {
				w = yv[o+i]
			}
			if gi := gv[o+i]; gi != 0 {
				if sa != nil {
					sa[ia] += gi * da(x, z, w)
				}
				if sb != nil {
					sb[ib] += gi * db(x, z, w)
				}
			}
			ia += stA
			ib += stB
		}
	})
	if sa != nil {
		ga = ewFromFloat64s(a.DType(), a.Shape(), sa)
	}
	if sb != nil {
		gb = ewFromFloat64s(b.DType(), b.Shape(), sb)
	}
	return ga, gb, nil
}

// Variadic ops (Sum, Mean, Min, Max).

// ewFold combines one or more same-dtype inputs elementwise with NumPy
// broadcasting, folding row kernels left to right. One input comes back
// as is.
func ewFold(name string, in []*tensor.Tensor, rows *numericRows) (*tensor.Tensor, error) {
	for i, t := range in {
		if t == nil {
			return nil, errShape("%s: input %d is missing", name, i)
		}
	}
	if err := sameDTypes(in); err != nil {
		return nil, err
	}
	shapes := make([][]int, len(in))
	for i, t := range in {
		shapes[i] = t.Shape()
	}
	shape, err := tensor.BroadcastShape(shapes...)
	if err != nil {
		return nil, err
	}
	if len(in) == 1 {
		return in[0], nil
	}
	switch in[0].DType() {
	case tensor.Float32:
		return ewFoldT(in, shape, rows.f32)
	case tensor.Float64:
		return ewFoldT(in, shape, rows.f64)
	case tensor.Float16, tensor.BFloat16:
		f := make([]*tensor.Tensor, len(in))
		for i, t := range in {
			if f[i], err = tensor.Convert(t, tensor.Float32); err != nil {
				return nil, err
			}
		}
		r, err := ewFoldT(f, shape, rows.f32)
		if err != nil {
			return nil, err
		}
		return tensor.Convert(r, in[0].DType())
	case tensor.Int8:
		return ewFoldT(in, shape, rows.i8)
	case tensor.Int16:
		return ewFoldT(in, shape, rows.i16)
	case tensor.Int32:
		return ewFoldT(in, shape, rows.i32)
	case tensor.Int64:
		return ewFoldT(in, shape, rows.i64)
	case tensor.Uint8:
		return ewFoldT(in, shape, rows.u8)
	case tensor.Uint16:
		return ewFoldT(in, shape, rows.u16)
	case tensor.Uint32:
		return ewFoldT(in, shape, rows.u32)
	case tensor.Uint64:
		return ewFoldT(in, shape, rows.u64)
	}
	return nil, errDType("%s does not support %v", name, in[0].DType())
}

func ewFoldT[T tensor.Elem](in []*tensor.Tensor, shape []int, row rowFn[T]) (*tensor.Tensor, error) {
	if row == nil {
		return nil, errDType("unsupported dtype %v", in[0].DType())
	}
	out := tensor.Make[T](shape...)
	d := tensor.Data[T](out)
	if err := ewBinaryPar(d, shape, tensor.Data[T](in[0]), in[0].Shape(), tensor.Data[T](in[1]), in[1].Shape(), ewGrainCheap, row); err != nil {
		return nil, err
	}
	for _, t := range in[2:] {
		// In place: each row kernel reads a[i] before writing dst[i].
		if err := ewBinaryPar(d, shape, d, shape, tensor.Data[T](t), t.Shape(), ewGrainCheap, row); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ewFoldFacts is the shape inference of the variadic ops.
func ewFoldFacts(in []runtime.Fact) ([]runtime.Fact, error) {
	return broadcastFacts(in, tensor.Undefined)
}

// ewSelectGrads is the backward pass of Min and Max: the gradient of each
// output element goes to the first input (lowest index) whose value
// (after broadcasting) equals the output there — NaN matching NaN — summed
// over the axes that input was broadcast along.
func ewSelectGrads(name string, f *runtime.Forward, gy *tensor.Tensor) ([]*tensor.Tensor, error) {
	out := make([]*tensor.Tensor, len(f.Inputs))
	if gy == nil {
		return out, nil
	}
	if err := ewFloatGrad(name, gy, f.Inputs[0]); err != nil {
		return nil, err
	}
	y := f.Outputs[0]
	k := len(f.Inputs)
	shapes := make([][]int, k)
	vals := make([][]float64, k)
	sums := make([][]float64, k)
	for i, x := range f.Inputs {
		shapes[i], vals[i] = x.Shape(), ewFloat64s(x)
		if f.NeedGrad[i] {
			sums[i] = make([]float64, len(vals[i]))
		}
	}
	bc, err := tensor.NewBroadcaster(y.Shape(), shapes...)
	if err != nil {
		return nil, err
	}
	yv, gv := ewFloat64s(y), ewFloat64s(gy)
	rl, steps := bc.RowLen(), bc.Steps()
	bc.ForRows(0, bc.Rows(), func(o int, in []int) {
		for i := 0; i < rl; i++ {
			w := yv[o+i]
			for j := 0; j < k; j++ {
				v := vals[j][in[j]+i*steps[j]]
				if v == w || (v != v && w != w) {
					if sums[j] != nil {
						sums[j][in[j]+i*steps[j]] += gv[o+i]
					}
					break
				}
			}
		}
	})
	for i, x := range f.Inputs {
		if sums[i] != nil {
			out[i] = ewFromFloat64s(x.DType(), x.Shape(), sums[i])
		}
	}
	return out, nil
}

// ewPoly8 evaluates c[0] + c[1]t + ... + c[7]t^7 by Estrin's scheme (a
// shorter dependency chain than Horner's, so neighbouring elements overlap
// in the pipeline).
func ewPoly8(c *[8]float64, t float64) float64 {
	t2 := t * t
	t4 := t2 * t2
	return (c[0] + c[1]*t) + t2*(c[2]+c[3]*t) + t4*((c[4]+c[5]*t)+t2*(c[6]+c[7]*t))
}

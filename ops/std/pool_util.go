package std

import (
	"github.com/optnet-go/optnet/internal/parallel"
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// Machinery of the pooling ops (MaxPool, AveragePool, LpPool and their
// global forms): window attributes, and a walk over every output position
// of every (image, channel) plane that lists the input elements under the
// window. Planes run in parallel.

// poolAttrs are a pooling node's attributes.
type poolAttrs struct {
	convWindowAttrs
	ceil bool
}

// readPoolAttrs reads the window attributes; kernel_shape is required.
func readPoolAttrs(b *runtime.BuildContext) (poolAttrs, error) {
	a, err := readConvWindowAttrs(b)
	if err != nil {
		return poolAttrs{}, err
	}
	if a.kernel == nil {
		return poolAttrs{}, b.Errorf("required attribute %q is missing", "kernel_shape")
	}
	p := poolAttrs{convWindowAttrs: a, ceil: b.Int("ceil_mode", 0) != 0}
	return p, b.Err()
}

// poolGeom is the geometry of one pooling run.
type poolGeom struct {
	n, c int
	win  *convWindow
	// taps[i][o] gives the input coordinates along axis i under the window
	// of output index o: first, first+d, … (count of them).
	taps [][]poolAxisTaps
	// stride[i] is the plane stride of axis i.
	stride []int
	// maxTaps bounds the input elements under one window.
	maxTaps int
}

// poolAxisTaps is an arithmetic run of input coordinates along one axis,
// with padded counting the window positions inside the padded input.
type poolAxisTaps struct{ first, count, padded int }

// shape resolves the pooled window over x's shape (N, C, D1…Dn).
func (a *poolAttrs) shape(xs []int) (*convWindow, error) {
	if len(xs) < 3 {
		return nil, errShape("pooling input %v needs rank >= 3 (N, C, spatial...)", xs)
	}
	if len(a.kernel) != len(xs)-2 {
		return nil, errShape("kernel_shape %v does not match the %d spatial dims of %v", a.kernel, len(xs)-2, xs)
	}
	return a.resolve(xs[2:], a.kernel, a.ceil)
}

// poolOutShape is (N, C, out…) of a resolved pool.
func poolOutShape(xs []int, w *convWindow) []int { return append([]int{xs[0], xs[1]}, w.out...) }

// plan resolves a pool over x's shape, checking the output against the
// run's size limit (dt is the output dtype) before building its tables.
func (a *poolAttrs) plan(rc *runtime.RunContext, xs []int, dt tensor.DType) (*poolGeom, error) {
	w, err := a.shape(xs)
	if err != nil {
		return nil, err
	}
	if err := rc.CheckSize(dt, poolOutShape(xs, w)); err != nil {
		return nil, err
	}
	return newPoolGeom(xs[0], xs[1], w), nil
}

// ceilDiv is ⌈a/b⌉ for b > 0 and any sign of a.
func ceilDiv(a, b int) int {
	if a >= 0 {
		return (a + b - 1) / b
	}
	return -((-a) / b)
}

// floorDiv is ⌊a/b⌋ for b > 0 and any sign of a.
func floorDiv(a, b int) int {
	if a >= 0 {
		return a / b
	}
	return -((-a + b - 1) / b)
}

// poolOffsets returns the kernel offsets q in [q0, q1) ⊆ [0, k) with
// lo <= o·s - pad + q·d < hi.
func poolOffsets(o, s, pad, d, k, lo, hi int) (q0, q1 int) {
	base := o*s - pad
	q0 = max(0, ceilDiv(lo-base, d))
	q1 = min(k, floorDiv(hi-1-base, d)+1)
	return q0, max(q0, q1)
}

func newPoolGeom(n, c int, w *convWindow) *poolGeom {
	nd := len(w.in)
	g := &poolGeom{n: n, c: c, win: w, taps: make([][]poolAxisTaps, nd), stride: make([]int, nd), maxTaps: 1}
	stride := 1
	for i := nd - 1; i >= 0; i-- {
		g.stride[i] = stride
		stride *= w.in[i]
		g.taps[i] = make([]poolAxisTaps, w.out[i])
		most := 0
		for o := range g.taps[i] {
			q0, q1 := poolOffsets(o, w.s[i], w.pad[i], w.d[i], w.k[i], 0, w.in[i])
			p0, p1 := poolOffsets(o, w.s[i], w.pad[i], w.d[i], w.k[i], -w.pad[i], w.in[i]+w.padEnd[i])
			g.taps[i][o] = poolAxisTaps{first: o*w.s[i] - w.pad[i] + q0*w.d[i], count: q1 - q0, padded: p1 - p0}
			most = max(most, q1-q0)
		}
		g.maxTaps *= max(1, most)
	}
	return g
}

// outShape is (N, C, out…).
func (g *poolGeom) outShape() []int { return append([]int{g.n, g.c}, g.win.out...) }

// poolBlock lists, for output positions [p0, p1) of a plane, the plane
// offsets of the input elements under each window: position p's are
// offs[start[p-p0]:start[p-p0+1]]. padded[p-p0] counts its window
// positions inside the padded input. The table is the same for every
// (image, channel) plane.
type poolBlock struct {
	p0, p1 int
	start  []int
	offs   []int
	padded []int
}

// taps returns the offsets under the window of position p.
func (b *poolBlock) taps(p int) []int { return b.offs[b.start[p-b.p0]:b.start[p-b.p0+1]] }

// poolBlockSize bounds the output positions of one table; poolBlockTaps
// bounds its offsets.
const (
	poolBlockSize = 4096
	poolBlockTaps = 1 << 18
)

// table builds the window table of output positions [p0, p1).
func (g *poolGeom) table(p0, p1 int) *poolBlock {
	nd := len(g.win.out)
	b := &poolBlock{p0: p0, p1: p1, start: make([]int, 1, p1-p0+1), padded: make([]int, 0, p1-p0)}
	o := nnUnravel(p0, g.win.out)
	idx := make([]int, nd)
	for p := p0; p < p1; p++ {
		cnt := 1
		empty := false
		for i := range idx {
			idx[i] = 0
			t := g.taps[i][o[i]]
			cnt *= t.padded
			if t.count == 0 {
				empty = true
			}
		}
		for !empty {
			off := 0
			for i := 0; i < nd; i++ {
				t := g.taps[i][o[i]]
				off += (t.first + idx[i]*g.win.d[i]) * g.stride[i]
			}
			b.offs = append(b.offs, off)
			i := nd - 1
			for ; i >= 0; i-- {
				idx[i]++
				if idx[i] < g.taps[i][o[i]].count {
					break
				}
				idx[i] = 0
			}
			if i < 0 {
				break
			}
		}
		b.start = append(b.start, len(b.offs))
		b.padded = append(b.padded, cnt)
		for i := nd - 1; i >= 0; i-- {
			o[i]++
			if o[i] < g.win.out[i] {
				break
			}
			o[i] = 0
		}
	}
	return b
}

// nnUnravel returns the multi-index of flat position p in shape.
func nnUnravel(p int, shape []int) []int {
	o := make([]int, len(shape))
	for i := len(shape) - 1; i >= 0; i-- {
		o[i] = p % shape[i]
		p /= shape[i]
	}
	return o
}

// each calls fn(plane, block) for every (image, channel) plane and block
// of output positions, planes split across goroutines.
func (g *poolGeom) each(rc *runtime.RunContext, fn func(plane int, b *poolBlock)) error {
	outSize := g.win.outSize
	planes := g.n * g.c
	block := max(1, min(poolBlockSize, poolBlockTaps/g.maxTaps))
	for p0 := 0; p0 < outSize && planes > 0; p0 += block {
		b := g.table(p0, min(outSize, p0+block))
		work := max(1, len(b.offs)+len(b.padded))
		parallel.For(planes, max(1, 8192/work), func(lo, hi int) {
			for plane := lo; plane < hi; plane++ {
				if plane%64 == 0 && rc.Err() != nil {
					return
				}
				fn(plane, b)
			}
		})
		if err := rc.Err(); err != nil {
			return err
		}
	}
	return nil
}

// poolShapeFacts infers a pool's output from a static input shape.
func poolShapeFacts(in []runtime.Fact, shape func(xs []int) ([]int, error)) (runtime.Fact, error) {
	out := runtime.Fact{DType: in[0].DType}
	if in[0].Static() {
		s, err := shape(in[0].Shape)
		if err != nil {
			return out, err
		}
		out.Shape, out.HasShape = s, true
	} else if in[0].HasShape {
		out.Shape, out.HasShape = make([]int, len(in[0].Shape)), true
		for i := range out.Shape {
			out.Shape[i] = -1
		}
		if len(out.Shape) > 1 {
			out.Shape[0], out.Shape[1] = in[0].Shape[0], in[0].Shape[1]
		}
	}
	return out, nil
}

// isPoolFloat reports whether a pooling op computes on dt.
func isPoolFloat(dt tensor.DType) bool {
	return dt == tensor.Float32 || dt == tensor.Float64 || nnIs16(dt)
}

// poolGlobalShape returns (N, C, 1, …, 1) for x's shape.
func poolGlobalShape(xs []int) ([]int, error) {
	if len(xs) < 2 {
		return nil, errShape("global pooling input %v needs rank >= 2 (N, C, spatial...)", xs)
	}
	out := append([]int(nil), xs...)
	for i := 2; i < len(out); i++ {
		out[i] = 1
	}
	return out, nil
}

// poolReducePlanes computes one value per (N, C) plane of x with f, in
// parallel.
func poolReducePlanes[T tensor.Float](x *tensor.Tensor, f func(plane []T) T) (*tensor.Tensor, error) {
	shape, err := poolGlobalShape(x.Shape())
	if err != nil {
		return nil, err
	}
	y := tensor.Make[T](shape...)
	xd, yd := tensor.Data[T](x), tensor.Data[T](y)
	planes := len(yd)
	if planes == 0 {
		return y, nil
	}
	sz := len(xd) / planes
	parallel.For(planes, max(1, 16384/max(1, sz)), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			yd[i] = f(xd[i*sz : (i+1)*sz])
		}
	})
	return y, nil
}

func poolGlobalFacts(in []runtime.Fact) ([]runtime.Fact, error) {
	out := runtime.Fact{DType: in[0].DType}
	if in[0].HasShape {
		s, err := poolGlobalShape(in[0].Shape)
		if err != nil {
			return nil, err
		}
		out.Shape, out.HasShape = s, true
	}
	return []runtime.Fact{out}, nil
}

// poolGlobalRun reduces every (N, C) plane of x to one value (the global
// pools), computing 16-bit floats in float32 and returning x's dtype.
func poolGlobalRun(name string, x *tensor.Tensor, f32 func([]float32) float32, f64 func([]float64) float64) ([]*tensor.Tensor, error) {
	dt := x.DType()
	if !isPoolFloat(dt) {
		return nil, errDType("%s does not support %v", name, dt)
	}
	w, err := nnWiden(x)
	if err != nil {
		return nil, err
	}
	var y *tensor.Tensor
	if w[0].DType() == tensor.Float32 {
		y, err = poolReducePlanes(w[0], f32)
	} else {
		y, err = poolReducePlanes(w[0], f64)
	}
	return nnNarrow(dt, []*tensor.Tensor{y}, err)
}

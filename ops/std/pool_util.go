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
	windowAttrs
	ceil bool
}

// readPoolAttrs reads the window attributes; kernel_shape is required.
func readPoolAttrs(b *runtime.BuildContext) (poolAttrs, error) {
	a, err := readWindowAttrs(b)
	if err != nil {
		return poolAttrs{}, err
	}
	if a.kernel == nil {
		return poolAttrs{}, b.Errorf("required attribute %q is missing", "kernel_shape")
	}
	p := poolAttrs{windowAttrs: a, ceil: b.Int("ceil_mode", 0) != 0}
	return p, b.Err()
}

// poolGeom is the geometry of one pooling run.
type poolGeom struct {
	n, c int
	win  *window
	// taps[i][o] lists the offsets (coordinate × plane stride) of the input
	// elements along axis i under the window of output index o.
	taps [][][]int
	// padded[i][o] counts the window positions inside the padded input.
	padded [][]int
}

// planPool resolves a pool over x's shape (N, C, D1…Dn).
func (a *poolAttrs) plan(xs []int) (*poolGeom, error) {
	if len(xs) < 3 {
		return nil, errShape("pooling input %v needs rank >= 3 (N, C, spatial...)", xs)
	}
	if len(a.kernel) != len(xs)-2 {
		return nil, errShape("kernel_shape %v does not match the %d spatial dims of %v", a.kernel, len(xs)-2, xs)
	}
	w, err := a.resolve(xs[2:], a.kernel, a.ceil)
	if err != nil {
		return nil, err
	}
	return newPoolGeom(xs[0], xs[1], w), nil
}

func newPoolGeom(n, c int, w *window) *poolGeom {
	nd := len(w.in)
	g := &poolGeom{n: n, c: c, win: w, taps: make([][][]int, nd), padded: make([][]int, nd)}
	stride := 1
	for i := nd - 1; i >= 0; i-- {
		g.taps[i] = make([][]int, w.out[i])
		g.padded[i] = make([]int, w.out[i])
		for o := 0; o < w.out[i]; o++ {
			for q := 0; q < w.k[i]; q++ {
				x := o*w.s[i] - w.pad[i] + q*w.d[i]
				if x >= 0 && x < w.in[i] {
					g.taps[i][o] = append(g.taps[i][o], x*stride)
				}
				if x >= -w.pad[i] && x < w.in[i]+w.padEnd[i] {
					g.padded[i][o]++
				}
			}
		}
		stride *= w.in[i]
	}
	return g
}

// outShape is (N, C, out…).
func (g *poolGeom) outShape() []int { return append([]int{g.n, g.c}, g.win.out...) }

// paddedCount is the number of window positions inside the padded input
// for output index o.
func (g *poolGeom) paddedCount(o []int) int {
	n := 1
	for i, v := range o {
		n *= g.padded[i][v]
	}
	return n
}

// each calls fn for every output position of planes [0, N·C) — plane,
// the output multi-index o, the flat output position p within the plane,
// and the plane offsets of the input elements under the window — with
// planes split across goroutines. fn must not keep o or offs.
func (g *poolGeom) each(rc *runtime.RunContext, fn func(plane int, o []int, p int, offs []int)) error {
	nd := len(g.win.out)
	outSize := g.win.outSize
	if outSize == 0 {
		return nil
	}
	parallel.For(g.n*g.c, max(1, 4096/max(1, outSize*g.win.kSize)), func(lo, hi int) {
		o := make([]int, nd)
		idx := make([]int, nd)
		var offs []int
		for plane := lo; plane < hi; plane++ {
			if plane%64 == 0 && rc.Err() != nil {
				return
			}
			clear(o)
			for p := 0; p < outSize; p++ {
				offs = offs[:0]
				empty := false
				for i := range idx {
					idx[i] = 0
					if len(g.taps[i][o[i]]) == 0 {
						empty = true
					}
				}
				for !empty {
					off := 0
					for i := 0; i < nd; i++ {
						off += g.taps[i][o[i]][idx[i]]
					}
					offs = append(offs, off)
					i := nd - 1
					for ; i >= 0; i-- {
						idx[i]++
						if idx[i] < len(g.taps[i][o[i]]) {
							break
						}
						idx[i] = 0
					}
					if i < 0 {
						break
					}
				}
				fn(plane, o, p, offs)
				for i := nd - 1; i >= 0; i-- {
					o[i]++
					if o[i] < g.win.out[i] {
						break
					}
					o[i] = 0
				}
			}
		}
	})
	return rc.Err()
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
	return dt == tensor.Float32 || dt == tensor.Float64 || is16(dt)
}

// globalShape returns (N, C, 1, …, 1) for x's shape.
func globalShape(xs []int) ([]int, error) {
	if len(xs) < 2 {
		return nil, errShape("global pooling input %v needs rank >= 2 (N, C, spatial...)", xs)
	}
	out := append([]int(nil), xs...)
	for i := 2; i < len(out); i++ {
		out[i] = 1
	}
	return out, nil
}

// reducePlanes computes one value per (N, C) plane of x with f, in
// parallel.
func reducePlanes[T tensor.Float](x *tensor.Tensor, f func(plane []T) T) (*tensor.Tensor, error) {
	shape, err := globalShape(x.Shape())
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

func globalFacts(in []runtime.Fact) ([]runtime.Fact, error) {
	out := runtime.Fact{DType: in[0].DType}
	if in[0].HasShape {
		s, err := globalShape(in[0].Shape)
		if err != nil {
			return nil, err
		}
		out.Shape, out.HasShape = s, true
	}
	return []runtime.Fact{out}, nil
}

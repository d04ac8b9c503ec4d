package std

import (
	"github.com/optnet-go/optnet/internal/parallel"
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// Geometry shared by the windowed ops (Conv, ConvTranspose, ConvInteger,
// QLinearConv, the pools): attribute parsing, output sizes, and the
// im2col/col2im transforms that turn a convolution into a GEMM.

// convWindowAttrs are the spatial attributes of a windowed op. Nil slices
// take their defaults (strides and dilations 1, pads 0, kernel from the
// weights).
type convWindowAttrs struct {
	autoPad   string
	kernel    []int
	strides   []int
	dilations []int
	pads      []int
}

// readConvWindowAttrs reads auto_pad, kernel_shape, strides, dilations and
// pads, checking their values.
func readConvWindowAttrs(b *runtime.BuildContext) (convWindowAttrs, error) {
	a := convWindowAttrs{
		autoPad:   b.String("auto_pad", "NOTSET"),
		kernel:    nnInts(b.Ints("kernel_shape", nil)),
		strides:   nnInts(b.Ints("strides", nil)),
		dilations: nnInts(b.Ints("dilations", nil)),
		pads:      nnInts(b.Ints("pads", nil)),
	}
	if err := b.Err(); err != nil {
		return a, err
	}
	switch a.autoPad {
	case "", "NOTSET":
		a.autoPad = "NOTSET"
	case "SAME_UPPER", "SAME_LOWER", "VALID":
	default:
		return a, b.Errorf("unknown auto_pad %q", a.autoPad)
	}
	for _, v := range a.kernel {
		if v <= 0 {
			return a, b.Errorf("kernel_shape %v must be positive", a.kernel)
		}
	}
	for _, v := range a.strides {
		if v <= 0 {
			return a, b.Errorf("strides %v must be positive", a.strides)
		}
	}
	for _, v := range a.dilations {
		if v <= 0 {
			return a, b.Errorf("dilations %v must be positive", a.dilations)
		}
	}
	for _, v := range a.pads {
		if v < 0 {
			return a, b.Errorf("pads %v must not be negative", a.pads)
		}
	}
	if len(a.pads)%2 != 0 {
		return a, b.Errorf("pads %v must have an even length", a.pads)
	}
	return a, nil
}

// convWindow is the resolved geometry of one windowed op over one spatial
// shape: output position o and kernel offset q read input position
// o*s - pad + q*d along each spatial axis.
type convWindow struct {
	in, out, k, s, d, pad  []int
	padEnd                 []int
	inSize, outSize, kSize int
}

// spatialDefaults fills strides and dilations for nd axes, checking the
// lengths of the given ones.
func (a *convWindowAttrs) spatialDefaults(nd int) (s, d []int, err error) {
	s, d = a.strides, a.dilations
	if s == nil {
		s = nnOnes(nd)
	}
	if d == nil {
		d = nnOnes(nd)
	}
	if len(s) != nd || len(d) != nd {
		return nil, nil, errShape("strides %v and dilations %v must have %d values", s, d, nd)
	}
	if a.pads != nil && len(a.pads) != 2*nd {
		return nil, nil, errShape("pads %v must have %d values", a.pads, 2*nd)
	}
	return s, d, nil
}

// resolve computes the output size of a forward window op (convolution or
// pooling) over spatial input in with kernel k.
func (a *convWindowAttrs) resolve(in, k []int, ceil bool) (*convWindow, error) {
	nd := len(in)
	if len(k) != nd {
		return nil, errShape("kernel %v does not match %d spatial dims", k, nd)
	}
	if a.kernel != nil && !tensor.SameShape(a.kernel, k) {
		return nil, errShape("kernel_shape %v does not match the weights' %v", a.kernel, k)
	}
	s, d, err := a.spatialDefaults(nd)
	if err != nil {
		return nil, err
	}
	w := &convWindow{in: in, k: k, s: s, d: d, out: make([]int, nd), pad: make([]int, nd), padEnd: make([]int, nd)}
	for i := 0; i < nd; i++ {
		if k[i] <= 0 {
			return nil, errShape("kernel %v must be positive", k)
		}
		dk := (k[i]-1)*d[i] + 1
		switch a.autoPad {
		case "SAME_UPPER", "SAME_LOWER":
			o := (in[i] + s[i] - 1) / s[i]
			total := max(0, (o-1)*s[i]+dk-in[i])
			w.out[i] = o
			if a.autoPad == "SAME_UPPER" {
				w.pad[i] = total / 2
			} else {
				w.pad[i] = total - total/2
			}
			w.padEnd[i] = total - w.pad[i]
		default:
			if a.autoPad == "NOTSET" && a.pads != nil {
				w.pad[i], w.padEnd[i] = a.pads[i], a.pads[i+nd]
			}
			span := in[i] + w.pad[i] + w.padEnd[i] - dk
			if span < 0 {
				return nil, errShape("window of %d (kernel %d, dilation %d) exceeds the padded input %d along axis %d", dk, k[i], d[i], in[i]+w.pad[i]+w.padEnd[i], i)
			}
			o := span/s[i] + 1
			if ceil && span%s[i] != 0 {
				o++
				// The last window must start inside the input or the
				// leading padding.
				if (o-1)*s[i] >= in[i]+w.pad[i] {
					o--
				}
			}
			w.out[i] = o
		}
	}
	w.sizes()
	return w, nil
}

func (w *convWindow) sizes() {
	w.inSize, w.outSize, w.kSize = nnProd(w.in), nnProd(w.out), nnProd(w.k)
}

func nnOnes(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = 1
	}
	return s
}

// convSegment is a run of n consecutive output positions (starting dst
// positions into the tile) that read the input at src, src+step, ...;
// src < 0 marks positions that fall into the padding.
type convSegment struct{ dst, src, n int }

// segments lists, for kernel offset q (flat index into the kernel), the
// runs of output positions [p0, p1) and where they read the input. The
// runs are the same for every channel.
func (w *convWindow) segments(q, p0, p1 int, dst []convSegment) []convSegment {
	if p1 <= p0 {
		return dst
	}
	nd := len(w.in)
	L := nd - 1
	qv := make([]int, nd)
	r := q
	for i := L; i >= 0; i-- {
		qv[i] = r % w.k[i]
		r /= w.k[i]
	}
	inStride := make([]int, nd)
	acc := 1
	for i := L; i >= 0; i-- {
		inStride[i] = acc
		acc *= w.in[i]
	}
	// Along the last axis, outputs [loV, hiV) read inside the input.
	off := qv[L]*w.d[L] - w.pad[L]
	s := w.s[L]
	loV := 0
	if off < 0 {
		loV = (-off + s - 1) / s
	}
	hiV := 0
	if w.in[L]-1-off >= 0 {
		hiV = (w.in[L]-1-off)/s + 1
	}
	o := make([]int, nd)
	r = p0
	for i := L; i >= 0; i-- {
		o[i] = r % w.out[i]
		r /= w.out[i]
	}
	for p := p0; p < p1; {
		n := min(p1-p, w.out[L]-o[L])
		valid := true
		base := 0
		for i := 0; i < L; i++ {
			x := o[i]*w.s[i] - w.pad[i] + qv[i]*w.d[i]
			if x < 0 || x >= w.in[i] {
				valid = false
				break
			}
			base += x * inStride[i]
		}
		a, b := o[L], o[L]+n
		va, vb := max(a, loV), min(b, hiV)
		if !valid || va >= vb {
			dst = append(dst, convSegment{p - p0, -1, n})
		} else {
			if va > a {
				dst = append(dst, convSegment{p - p0, -1, va - a})
			}
			dst = append(dst, convSegment{p - p0 + va - a, base + va*s + off, vb - va})
			if b > vb {
				dst = append(dst, convSegment{p - p0 + vb - a, -1, b - vb})
			}
		}
		p += n
		o[L] += n
		for i := L; i > 0 && o[i] == w.out[i]; i-- {
			o[i] = 0
			o[i-1]++
		}
	}
	return dst
}

// allSegments returns the segments of every kernel offset for output
// positions [p0, p1).
func (w *convWindow) allSegments(p0, p1 int) [][]convSegment {
	segs := make([][]convSegment, w.kSize)
	for q := range segs {
		segs[q] = w.segments(q, p0, p1, nil)
	}
	return segs
}

// im2col writes the columns of channels [0, c) of image x (c planes of
// w.inSize) for output positions covered by segs (a tile of tn
// positions) into col, laid out (c·kSize) × tn.
func im2col[T any](w *convWindow, segs [][]convSegment, x []T, c, tn int, col []T, par bool) {
	step := w.s[len(w.s)-1]
	body := func(lo, hi int) {
		var zero T
		for ch := lo; ch < hi; ch++ {
			xc := x[ch*w.inSize : (ch+1)*w.inSize]
			for q, ss := range segs {
				row := col[(ch*w.kSize+q)*tn : (ch*w.kSize+q+1)*tn]
				for _, sg := range ss {
					d := row[sg.dst : sg.dst+sg.n]
					switch {
					case sg.src < 0:
						for i := range d {
							d[i] = zero
						}
					case step == 1:
						copy(d, xc[sg.src:sg.src+sg.n])
					default:
						src := sg.src
						for i := range d {
							d[i] = xc[src]
							src += step
						}
					}
				}
			}
		}
	}
	if par {
		parallel.For(c, max(1, 4096/max(1, w.kSize*tn)), body)
	} else {
		body(0, c)
	}
}

// col2im adds the columns back into channels [0, c) of image x (the
// adjoint of im2col).
func col2im[T tensor.Number](w *convWindow, segs [][]convSegment, col []T, c, tn int, x []T, par bool) {
	step := w.s[len(w.s)-1]
	body := func(lo, hi int) {
		for ch := lo; ch < hi; ch++ {
			xc := x[ch*w.inSize : (ch+1)*w.inSize]
			for q, ss := range segs {
				row := col[(ch*w.kSize+q)*tn : (ch*w.kSize+q+1)*tn]
				for _, sg := range ss {
					if sg.src < 0 {
						continue
					}
					d := row[sg.dst : sg.dst+sg.n]
					if step == 1 {
						xs := xc[sg.src : sg.src+sg.n]
						for i, v := range d {
							xs[i] += v
						}
						continue
					}
					src := sg.src
					for _, v := range d {
						xc[src] += v
						src += step
					}
				}
			}
		}
	}
	if par {
		parallel.For(c, max(1, 4096/max(1, w.kSize*tn)), body)
	} else {
		body(0, c)
	}
}

// convMaxCol bounds the elements of one im2col buffer (a variable so tests
// can force tiling).
var convMaxCol = 1 << 18

// convTileWidth picks how many output positions one im2col buffer holds so
// that it stays near convMaxCol elements.
func convTileWidth(rows, positions int) int {
	if rows*positions <= convMaxCol {
		return max(positions, 1)
	}
	t := max(convMaxCol/max(rows, 1), 64)
	return min(t, positions)
}

// isPointwise reports whether a convolution reads each output position's
// input directly (1×…×1 kernel, unit strides, no padding), so the image
// itself is the column matrix.
func (w *convWindow) isPointwise() bool {
	for i := range w.k {
		if w.k[i] != 1 || w.s[i] != 1 || w.pad[i] != 0 || w.padEnd[i] != 0 || w.in[i] != w.out[i] {
			return false
		}
	}
	return true
}

// convAddBias adds b[m] to every position of channel m of y (n·m planes of
// size positions).
func convAddBias[T tensor.Number](y, b []T, n, m, positions int) {
	parallel.For(n*m, max(1, 16384/max(positions, 1)), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			v := b[i%m]
			row := y[i*positions : (i+1)*positions]
			for j := range row {
				row[j] += v
			}
		}
	})
}

// convSumBias is the gradient of convAddBias: g summed over batch and positions.
func convSumBias[T tensor.Float](g []T, n, m, positions int) []T {
	out := make([]T, m)
	for i := 0; i < n*m; i++ {
		var s T
		for _, v := range g[i*positions : (i+1)*positions] {
			s += v
		}
		out[i%m] += s
	}
	return out
}

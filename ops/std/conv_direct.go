package std

import (
	"sync/atomic"

	"github.com/optnet-go/optnet/internal/gemm"
	"github.com/optnet-go/optnet/internal/parallel"
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// Im2col-free float32 convolutions of stride 1 (gemm.PackedA.MulOffsets):
// the micro-kernel reads its right operand straight from the input image,
// step q (input channel ch, kernel offset ky, kx) at a fixed offset into
// it.
//
//   - 1×1 (pointwise): the image itself, row ch at ch·P; the output is
//     written in place. (MulOffsets packs a last partial panel that would
//     read past the image.)
//   - k×k: a zero-bordered copy of the image whose rows are V = Wo +
//     (kw-1)·dx wide, computed in "virtual" positions j = oy·V + ox: tap
//     (ky, kx) of position j reads padded[ch][j + ky·dy·V + kx·dx] for every
//     j, so a run of consecutive positions (across output rows) is one
//     contiguous run of the padded image. The V - Wo virtual columns per
//     row that are not outputs are computed and dropped when each tile is
//     copied out (with its epilogue).
//
// It replaces im2col (13 % of ResNet-18's time) by one copy of the input
// for k×k convolutions and by nothing for 1×1 ones.

// convDirectGeo is the direct path's plan for one input shape.
type convDirectGeo struct {
	n, c int
	in   []int
	// Virtual positions: rows of V, Pv of them in use.
	V, Hp, plane, Pv int
	pointwise        bool
	boff             []int32 // per row of the right operand (within a group)
	nb, tiles        int
	rows, rblk       int
}

type convDirectCache struct{ last atomic.Pointer[convDirectGeo] }

// convDirectOK reports whether the direct path applies to p with packed
// weights.
func convDirectOK[T float32 | float64](p *convPlan, packed []*gemm.PackedA[T]) bool {
	w := p.win
	if len(w.in) != 2 || len(packed) == 0 || !packed[0].CanMulOffsets() {
		return false
	}
	if w.s[0] != 1 || w.s[1] != 1 {
		return false
	}
	// Offsets are int32.
	V := w.out[1] + (w.k[1]-1)*w.d[1]
	if int64(p.c)*int64(w.out[0]+(w.k[0]-1)*w.d[0])*int64(V) >= 1<<30 {
		return false
	}
	// The virtual columns must not cost more than im2col saves (about
	// 10 %): 13×13 outputs in rows of 15 fill 7 panels of 32 instead of 6.
	nr := packed[0].NR()
	real := (w.outSize + nr - 1) / nr
	virt := ((w.out[0]-1)*V + w.out[1] + nr - 1) / nr
	return virt*10 <= real*11
}

func (fx *convFixed) directGeometry(p *convPlan, mr, nr int) *convDirectGeo {
	if g := fx.dgeo.last.Load(); g != nil && g.n == p.n && g.c == p.c && tensor.SameShape(g.in, p.win.in) {
		return g
	}
	w := p.win
	Ho, Wo := w.out[0], w.out[1]
	g := &convDirectGeo{n: p.n, c: p.c, in: w.in, pointwise: w.isPointwise()}
	kh, kw := w.k[0], w.k[1]
	if g.pointwise {
		g.V, g.Hp = Wo, Ho
	} else {
		g.V, g.Hp = Wo+(kw-1)*w.d[1], Ho+(kh-1)*w.d[0]
	}
	g.plane = g.Hp * g.V
	g.Pv = (Ho-1)*g.V + Wo
	K := kh * kw
	g.boff = make([]int32, p.cg*K)
	for ch := range p.cg {
		for ky := range kh {
			for kx := range kw {
				g.boff[ch*K+ky*kw+kx] = int32(ch*g.plane + ky*w.d[0]*g.V + kx*w.d[1])
			}
		}
	}
	workers := parallel.Workers()
	tiles := max(1, (g.Pv+convTileTarget-1)/convTileTarget)
	if tiles > 1 && p.n*p.g == 1 {
		tiles = roundUpInt(tiles, workers)
	}
	g.nb = min(g.Pv, roundUpInt((g.Pv+tiles-1)/tiles, nr))
	g.tiles = (g.Pv + g.nb - 1) / g.nb
	g.rows, g.rblk = p.mg, 1
	if chunks := p.n * p.g * g.tiles; chunks < workers && p.mg >= 2*mr {
		blocks := min((workers+chunks-1)/chunks, p.mg/mr)
		g.rows = roundUpInt((p.mg+blocks-1)/blocks, mr)
		g.rblk = (p.mg + g.rows - 1) / g.rows
	}
	fx.dgeo.last.Store(g)
	return g
}

// convDirectForward computes y = epilogue(conv(x, W) + b) on the direct
// path (convDirectOK).
func convDirectForward(rc *runtime.RunContext, fx *convFixed, p *convPlan, x []float32, packed []*gemm.PackedA[float32], b, res, y []float32) error {
	w := p.win
	P, inSz := w.outSize, w.inSize
	if P == 0 || p.n == 0 || p.m == 0 {
		return nil
	}
	mr, nr := packed[0].MR(), packed[0].NR()
	geo := fx.directGeometry(p, mr, nr)
	Wo := w.out[1]
	src := x
	if !geo.pointwise {
		// The zero-bordered copy, with room for the last panel's overrun.
		buf := nnGetScratch[float32](p.n*p.c*geo.plane + nr)
		defer nnPutScratch(buf)
		src = *buf
		convPadPlanes(src, x, p.n*p.c, w.in[0], w.in[1], geo.Hp, geo.V, w.pad[0], w.pad[1])
		clear(src[p.n*p.c*geo.plane:])
	}
	ep := fx.ep
	chunks := p.n * p.g * geo.tiles * geo.rblk
	parallel.ForEach(chunks, func(ci int) {
		if rc.Err() != nil {
			return
		}
		rb := ci % geo.rblk
		rest := ci / geo.rblk
		t := rest % geo.tiles
		ng := rest / geo.tiles
		n, g := ng/p.g, ng%p.g
		pa := packed[g]
		r0 := rb * geo.rows
		r1 := min(p.mg, r0+geo.rows)
		j0 := t * geo.nb
		w0 := min(geo.nb, geo.Pv-j0)
		chanSz := geo.plane
		if geo.pointwise {
			chanSz = inSz
		}
		bs := src[(n*p.c+g*p.cg)*chanSz+j0:]
		if geo.pointwise {
			ybase := (n*p.m + g*p.mg + r0) * P
			tile := nnGetScratch[float32](pa.OffsetsScratch())
			pa.MulOffsets(r0, r1, w0, bs, geo.boff, *tile, y[ybase+j0:], P, false)
			nnPutScratch(tile)
			for r := r0; r < r1; r++ {
				ch := g*p.mg + r
				off := (n*p.m+ch)*P + j0
				var rr []float32
				if res != nil {
					rr = res[off : off+w0]
				}
				convEpilogueRow(y[off:off+w0], convBias(b, ch), rr, ep)
			}
			return
		}
		// k×k: compute the tile's virtual columns into scratch, then copy
		// the real ones out and finish them.
		rows := r1 - r0
		buf := nnGetScratch[float32](rows*w0 + pa.OffsetsScratch())
		defer nnPutScratch(buf)
		ct := (*buf)[:rows*w0]
		pa.MulOffsets(r0, r1, w0, bs, geo.boff, (*buf)[rows*w0:], ct, w0, false)
		V := geo.V
		for r := r0; r < r1; r++ {
			ch := g*p.mg + r
			crow := ct[(r-r0)*w0 : (r-r0+1)*w0]
			ybase := (n*p.m + ch) * P
			bv := convBias(b, ch)
			// Virtual positions [j0, j0+w0) meet output rows oy0…oy1.
			for oy := j0 / V; oy*V < j0+w0; oy++ {
				a, e := max(j0, oy*V), min(j0+w0, oy*V+Wo)
				if a >= e {
					continue
				}
				dst := y[ybase+oy*Wo+(a-oy*V) : ybase+oy*Wo+(e-oy*V)]
				copy(dst, crow[a-j0:e-j0])
				var rr []float32
				if res != nil {
					rr = res[ybase+oy*Wo+(a-oy*V):]
				}
				convEpilogueRow(dst, bv, rr, ep)
			}
		}
	})
	return rc.Err()
}

func convBias(b []float32, ch int) float32 {
	if b == nil {
		return 0
	}
	return b[ch]
}

// convPadPlanes copies planes H×W planes of x into dst as Hp×V planes with
// the input at row pt, column pl and zeros elsewhere.
func convPadPlanes(dst, x []float32, planes, H, W, Hp, V, pt, pl int) {
	plane := Hp * V
	per := max(1, 16384/plane)
	parallel.ForEach((planes+per-1)/per, func(ci int) {
		for i := ci * per; i < min(planes, (ci+1)*per); i++ {
			d := dst[i*plane : (i+1)*plane]
			xs := x[i*H*W : (i+1)*H*W]
			clear(d)
			for iy := range H {
				r := iy + pt
				if r >= Hp {
					break
				}
				if pl >= V {
					break
				}
				copy(d[r*V+pl:(r+1)*V], xs[iy*W:(iy+1)*W])
			}
		}
	})
}

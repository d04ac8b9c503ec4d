package std

import (
	"math"

	"github.com/optnet-go/optnet/internal/gemm"
	"github.com/optnet-go/optnet/internal/vecf32"
	"github.com/optnet-go/optnet/runtime"
)

// The float32 3×3 depthwise convolution (MobileNet's), stride 1 or 2:
// each input plane is copied once into a zero-bordered scratch plane (for
// stride 2, split into its even and odd columns), so that every output row
// is one call of a nine-tap vector kernel over contiguous runs, which also
// adds the bias and clamps.

// convDepthwise3x3OK reports whether p is a convolution convDepthwise3x3
// handles.
func convDepthwise3x3OK(p *convPlan) bool {
	w := p.win
	if len(w.in) != 2 || p.cg != 1 || p.mg != 1 || p.g != p.c {
		return false
	}
	return w.k[0] == 3 && w.k[1] == 3 && w.d[0] == 1 && w.d[1] == 1 &&
		w.s[0] == w.s[1] && (w.s[0] == 1 || w.s[0] == 2) && w.pad[0] <= 2 && w.pad[1] <= 2
}

// convDepthwise3x3 computes y = epilogue(conv(x, w) + b) for a plan that
// convDepthwise3x3OK accepts.
func convDepthwise3x3(rc *runtime.RunContext, p *convPlan, x, w, b, res []float32, ep convEpilogue, y []float32) error {
	win := p.win
	H, W := win.in[0], win.in[1]
	Ho, Wo := win.out[0], win.out[1]
	P := Ho * Wo
	if P == 0 || p.n == 0 || p.m == 0 {
		return nil
	}
	s := win.s[0]
	pt, pl := win.pad[0], win.pad[1]
	Hp, Wp := (Ho-1)*s+3, (Wo-1)*s+3 // the padded input the windows span
	We, Wd := (Wp+1)/2, Wp/2         // its even and odd columns (stride 2)
	lo, hi := float32(math.Inf(-1)), float32(math.Inf(1))
	if ep.clamp && res == nil {
		lo, hi = float32(ep.lo), float32(ep.hi)
	}
	planes := p.n * p.m
	per := max(1, 8192/P)
	chunks := (planes + per - 1) / per
	scratch := Hp * Wp
	if s == 2 {
		scratch = Hp * (We + Wd)
	}
	gemm.ForEach(chunks, func(ci int) {
		if rc.Err() != nil {
			return
		}
		buf := nnGetScratch[float32](scratch)
		defer nnPutScratch(buf)
		for i := ci * per; i < min(planes, (ci+1)*per); i++ {
			m := i % p.m
			xc := x[i*H*W : (i+1)*H*W] // channel m of image i/p.m (c == m)
			var wv [9]float32
			copy(wv[:], w[m*9:m*9+9])
			var bv float32
			if b != nil {
				bv = b[m]
			}
			yc := y[i*P : (i+1)*P]
			var src [9][]float32
			if s == 1 {
				pad := (*buf)[:Hp*Wp]
				for r := range Hp {
					pr := pad[r*Wp : (r+1)*Wp]
					iy := r - pt
					if iy < 0 || iy >= H {
						clear(pr)
						continue
					}
					// Padded column c holds x[iy][c-pl].
					n := copy(pr[min(pl, Wp):], xc[iy*W:(iy+1)*W])
					clear(pr[:min(pl, Wp)])
					clear(pr[min(pl, Wp)+n:])
				}
				for oy := range Ho {
					for ky := range 3 {
						row := pad[(oy+ky)*Wp:]
						src[3*ky], src[3*ky+1], src[3*ky+2] = row, row[1:], row[2:]
					}
					vecf32.Tap9(yc[oy*Wo:(oy+1)*Wo], &src, &wv, bv, lo, hi)
				}
			} else {
				ev := (*buf)[:Hp*We]
				od := (*buf)[Hp*We : Hp*(We+Wd)]
				for r := range Hp {
					e, o := ev[r*We:(r+1)*We], od[r*Wd:(r+1)*Wd]
					iy := r - pt
					if iy < 0 || iy >= H {
						clear(e)
						clear(o)
						continue
					}
					// Padded column c = ix+pl goes to e[c/2] (c even) or
					// o[c/2] (c odd); columns past Wp are never read.
					row := xc[iy*W : iy*W+min(W, Wp-pl)]
					if pl%2 == 0 {
						h := pl / 2
						clear(e[:h])
						clear(o[:h])
						vecf32.Deinterleave(e[h:], o[h:], row)
						clear(e[h+(len(row)+1)/2:])
						clear(o[h+len(row)/2:])
					} else {
						h := pl / 2 // input column 0 is odd padded column pl
						clear(o[:h])
						clear(e[:h+1])
						vecf32.Deinterleave(o[h:], e[h+1:], row)
						clear(o[h+(len(row)+1)/2:])
						clear(e[h+1+len(row)/2:])
					}
				}
				for oy := range Ho {
					for ky := range 3 {
						r := 2*oy + ky
						e := ev[r*We:]
						src[3*ky], src[3*ky+1], src[3*ky+2] = e, od[r*Wd:], e[1:]
					}
					vecf32.Tap9(yc[oy*Wo:(oy+1)*Wo], &src, &wv, bv, lo, hi)
				}
			}
			if res != nil {
				convEpilogueRow(yc, 0, res[i*P:(i+1)*P], ep)
			}
		}
	})
	return rc.Err()
}

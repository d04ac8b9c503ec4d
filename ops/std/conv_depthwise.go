package std

import (
	"github.com/optnet-go/optnet/internal/parallel"
	"math"

	"github.com/optnet-go/optnet/internal/vecf32"
	"github.com/optnet-go/optnet/runtime"
)

// The float32 3×3 depthwise convolution (MobileNet's), stride 1 or 2. Each
// input plane is copied once into zero-bordered scratch planes in which
// every tap of the kernel reads the output's row r at a fixed offset plus
// r times one row stride V:
//
//   - stride 1: the padded plane itself (V = its width);
//   - stride 2: the padded plane split four ways, by even and odd rows and
//     even and odd columns, all with the row width V of the even columns
//     (so tap (ky, kx) reads plane[ky%2][kx%2] at row r + ky/2, column
//     c + kx/2).
//
// A nine-tap vector kernel, which also adds the bias and clamps, then
// computes the whole output plane in one call (rows of Wo outputs, source
// rows V apart).

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
	V := Wp                          // row stride of the scratch planes
	rowsPer := Hp                    // rows of each scratch plane
	if s == 2 {
		V, rowsPer = (Wp+1)/2, (Hp+1)/2
	}
	planeSz := rowsPer * V
	nplanes := s * s
	lo, hi := float32(math.Inf(-1)), float32(math.Inf(1))
	if ep.clamp && res == nil {
		lo, hi = float32(ep.lo), float32(ep.hi)
	}
	planes := p.n * p.m
	per := max(1, 8192/P)
	chunks := (planes + per - 1) / per
	scratch := nplanes * planeSz
	parallel.ForEach(chunks, func(ci int) {
		if rc.Err() != nil {
			return
		}
		buf := nnGetScratch[float32](scratch)
		defer nnPutScratch(buf)
		sp := (*buf)[:nplanes*planeSz] // plane (rp, cp) at (rp*s+cp)*planeSz
		clear(sp)
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
			// Padded row pr (input row pr-pt) goes to row pr/s of the
			// planes of parity pr%s. Only the data is written: the borders
			// are the same for every channel and were cleared above.
			for pr := max(0, pt); pr < min(Hp, H+pt); pr++ {
				base := (pr % s) * s * planeSz
				r := pr / s
				iy := pr - pt
				if s == 1 {
					// Padded column c holds x[iy][c-pl].
					copy(sp[r*V+min(pl, Wp):(r+1)*V], xc[iy*W:(iy+1)*W])
					continue
				}
				e := sp[base+r*V : base+(r+1)*V]
				o := sp[base+planeSz+r*V : base+planeSz+(r+1)*V]
				// Padded column c = ix+pl goes to e[c/2] (c even) or
				// o[c/2] (c odd); columns past Wp are never read.
				src := xc[iy*W : iy*W+min(W, Wp-pl)]
				if pl%2 == 1 {
					e, o = o, e[1:] // input column 0 is odd
				}
				vecf32.Deinterleave(e[pl/2:], o[pl/2:], src)
			}
			// Tap (ky, kx) of output row r, column c reads plane
			// (ky%s, kx%s) at row r + ky/s, column c + kx/s.
			var taps [9][]float32
			for ky := range 3 {
				for kx := range 3 {
					pbase := ((ky%s)*s + kx%s) * planeSz
					taps[3*ky+kx] = sp[pbase+(ky/s)*V+kx/s:]
				}
			}
			vecf32.Tap9Rows(yc, Wo, Ho, Wo, &taps, V, &wv, bv, lo, hi)
			if res != nil {
				convEpilogueRow(yc, 0, res[i*P:(i+1)*P], ep)
			}
		}
	})
	return rc.Err()
}

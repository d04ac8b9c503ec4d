package std

import (
	"github.com/optnet-go/optnet/internal/parallel"
	"github.com/optnet-go/optnet/internal/vecf32"
	"github.com/optnet-go/optnet/runtime"
)

// maxPool2DF32 is MaxPool over 2-D float32 planes without indices, the
// inference case of CNNs: for each output row, the rows under the window
// are first reduced with a vector max into one row, then each output takes
// the max of its columns of that row — with vector maxes over shifted runs
// of the row for strides 1 and 2 (split into even and odd columns) where
// the window lies inside the row, one by one at the edges. Windows entirely
// in the padding give lowest, like maxPoolRun.
func maxPool2DF32(rc *runtime.RunContext, g *poolGeom, x, y []float32, lowest float32) error {
	w := g.win
	H, W := w.in[0], w.in[1]
	Ho, Wo := w.out[0], w.out[1]
	rows, cols := g.taps[0], g.taps[1]
	dy, dx := w.d[0], w.d[1]
	planes := g.n * g.c
	if planes == 0 || Ho*Wo == 0 {
		return nil
	}
	kw, sx, pl := w.k[1], w.s[1], w.pad[1]
	// Outputs [oa, ob) have their whole window inside the row.
	vec := dx == 1 && (sx == 1 || sx == 2)
	oa := min(Wo, (pl+sx-1)/sx)
	ob := oa
	if last := W - kw + pl; last >= 0 {
		ob = max(oa, min(Wo, last/sx+1))
	}
	per := max(1, 16384/max(1, H*W))
	chunks := (planes + per - 1) / per
	parallel.ForEach(chunks, func(ci int) {
		if rc.Err() != nil {
			return
		}
		buf := nnGetScratch[float32](2 * W)
		defer nnPutScratch(buf)
		tmp := (*buf)[:W]
		ev, od := (*buf)[W:W+(W+1)/2], (*buf)[W+(W+1)/2:]
		for plane := ci * per; plane < min(planes, (ci+1)*per); plane++ {
			xp := x[plane*H*W : (plane+1)*H*W]
			yp := y[plane*Ho*Wo : (plane+1)*Ho*Wo]
			for oy, rt := range rows {
				yr := yp[oy*Wo : (oy+1)*Wo]
				if rt.count == 0 {
					for i := range yr {
						yr[i] = lowest
					}
					continue
				}
				copy(tmp, xp[rt.first*W:(rt.first+1)*W])
				for i := 1; i < rt.count; i++ {
					r := rt.first + i*dy
					vecf32.MaxInto(tmp, xp[r*W:(r+1)*W])
				}
				if vec && ob > oa {
					if sx == 2 {
						vecf32.Deinterleave(ev, od, tmp)
					}
					seg := yr[oa:ob]
					for kx := range kw {
						// Column of output ox, tap kx: ox·sx + off.
						off := kx - pl
						var src []float32
						switch {
						case sx == 1:
							src = tmp[oa+off:]
						case off&1 == 0:
							src = ev[oa+off>>1:]
						default:
							src = od[oa+(off-1)>>1:]
						}
						if kx == 0 {
							copy(seg, src)
						} else {
							vecf32.MaxInto(seg, src)
						}
					}
				}
				for ox, ct := range cols {
					if vec && ox >= oa && ox < ob {
						continue
					}
					if ct.count == 0 {
						yr[ox] = lowest
						continue
					}
					best := tmp[ct.first]
					for i := 1; i < ct.count; i++ {
						best = max(best, tmp[ct.first+i*dx])
					}
					yr[ox] = best
				}
			}
		}
	})
	return rc.Err()
}

package std

import (
	"fmt"
	"math"
	"sync/atomic"

	"github.com/optnet-go/optnet/internal/gemm"
	"github.com/optnet-go/optnet/internal/parallel"
	"github.com/optnet-go/optnet/internal/vecf32"
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// Inference fast paths of Conv:
//
//   - Constant weights are packed for the GEMM micro-kernel once, at build
//     time (convFixed.packed32/64), and each run writes its im2col columns
//     (or, for 1×1 convolutions, its input rows) straight into the packed
//     panels the micro-kernel reads, one column tile at a time, so there is
//     no column matrix and no repacking of the weights.
//   - Fusion (runtime.Fuser): a following BatchNormalization with constant
//     parameters is folded into the weights and bias; a following Add of a
//     tensor of the output's shape (a residual connection), Relu or Clip
//     becomes an epilogue applied to each output tile while it is in cache.
//
// The epilogue computes act((conv + bias) + summand) in the order the
// unfused graph would, so fused and unfused runs agree to rounding (they
// are bit-identical for Relu and Clip).

// convEpilogue is what a fused convolution applies to its sums after the
// bias: a summand, then a clamp (Relu is [0, +Inf)).
type convEpilogue struct {
	res    int // index of the summand among the kernel's inputs; -1 for none
	clamp  bool
	lo, hi float64
}

// weights returns the weights, bias and packed weights a run uses: the
// prepared constants when inputs W and B are the constants seen at build
// time, else the inputs themselves (no packing). A kernel with folded
// weights only exists in a compiled plan, whose constant inputs never
// change; it refuses other values.
func (fx *convFixed) weights(in []*tensor.Tensor) (w, b *tensor.Tensor, p32 []*gemm.PackedA[float32], p64 []*gemm.PackedA[float64], err error) {
	w = in[1]
	if fx.nConv > 2 {
		b = in[2]
	}
	if fx.w != nil && w == fx.wSrc && b == fx.bSrc {
		return fx.w, fx.b, fx.packed32, fx.packed64, nil
	}
	if fx.folded {
		return nil, nil, nil, nil, fmt.Errorf("%w: Conv with folded weights got other weights", runtime.ErrInternal)
	}
	return w, b, nil, nil, nil
}

// convFixed is what a Conv kernel knows at build time beyond its
// attributes. It is immutable once built; fusion makes a modified copy.
type convFixed struct {
	nIn   int // inputs the kernel's Run receives (grows with fusion)
	nConv int // how many of them are the convolution's own (X, W[, B])
	group int
	// w and b are the constant weights and bias (BatchNormalization folded
	// in), replacing inputs 1 and 2; nil when W is not constant. They are
	// used only while inputs 1 and 2 are the constants wSrc and bSrc seen
	// at build time (a kernel run eagerly may get other values); folded is
	// set when they differ from those.
	w, b       *tensor.Tensor
	wSrc, bSrc *tensor.Tensor
	folded     bool
	packed32   []*gemm.PackedA[float32] // per group, when w is float32
	packed64   []*gemm.PackedA[float64] // per group, when w is float64
	ep         convEpilogue
	geo        *convGeoCache    // the packed path's chunking
	dgeo       *convDirectCache // the direct path's
}

// newConvFixed prepares a Conv node with nIn inputs whose weights and bias
// have the given constant values (nil when not constant).
func newConvFixed(nIn int, w, b *tensor.Tensor, hasB bool, group int) *convFixed {
	fx := &convFixed{nIn: nIn, nConv: min(nIn, 3), group: group, ep: convEpilogue{res: -1}, geo: new(convGeoCache), dgeo: new(convDirectCache)}
	if w != nil && (!hasB || b != nil) {
		fx.wSrc, fx.bSrc = w, b
		fx.setWeights(w, b)
	}
	return fx
}

// clone copies fx with an empty geometry cache.
func (fx *convFixed) clone() *convFixed {
	c := *fx
	c.geo, c.dgeo = new(convGeoCache), new(convDirectCache)
	return &c
}

// setWeights records constant weights and packs them per group, for the
// dtypes and layouts the packed path handles.
func (fx *convFixed) setWeights(w, b *tensor.Tensor) {
	fx.w, fx.b = w, b
	fx.packed32, fx.packed64 = nil, nil
	ws := w.Shape()
	if len(ws) < 3 || b != nil && b.DType() != w.DType() {
		return
	}
	m, cg, kk, g := ws[0], ws[1], nnProd(ws[2:]), fx.group
	if m == 0 || cg*kk == 0 || w.Len() != m*cg*kk || m%g != 0 || (cg == 1 && g > 1) {
		return // empty, malformed (Run reports it) or depthwise (direct loops)
	}
	switch w.DType() {
	case tensor.Float32:
		fx.packed32 = packConvWeights(gemm.PackA32, tensor.Data[float32](w), m/g, cg*kk, g)
	case tensor.Float64:
		fx.packed64 = packConvWeights(gemm.PackA64, tensor.Data[float64](w), m/g, cg*kk, g)
	}
}

// packConvWeights packs the weights of each of g groups (mg rows of ckk).
func packConvWeights[T float32 | float64](pack func(bool, int, int, []T, int) *gemm.PackedA[T], w []T, mg, ckk, g int) []*gemm.PackedA[T] {
	out := make([]*gemm.PackedA[T], g)
	for i := range out {
		out[i] = pack(false, mg, ckk, w[i*mg*ckk:(i+1)*mg*ckk], ckk)
	}
	return out
}

// Fuse absorbs the node reading the convolution's output: Relu, Clip
// (constant bounds), BatchNormalization (inference, constant parameters,
// constant weights), or Add of a tensor with the output's shape.
func (k *convKernel) Fuse(next *runtime.BuildContext, pos int) (runtime.Kernel, error) {
	fx := k.fx
	if fx == nil || (next.Node.Domain != "" && next.Node.Domain != "ai.onnx") {
		return nil, nil
	}
	self := next.Inputs[pos]
	if self.DType != tensor.Float32 && self.DType != tensor.Float64 && !nnIs16(self.DType) {
		return nil, nil
	}
	nfx := fx.clone()
	nfx.nIn = fx.nIn + next.NumInputs() - 1
	switch next.Node.OpType {
	case "Relu":
		if fx.ep.clamp {
			return nil, nil
		}
		nfx.ep.clamp, nfx.ep.lo, nfx.ep.hi = true, 0, math.Inf(1)
	case "Clip":
		if fx.ep.clamp {
			return nil, nil
		}
		lo, hi, ok := clipConstBounds(next)
		if !ok {
			return nil, nil
		}
		nfx.ep.clamp, nfx.ep.lo, nfx.ep.hi = true, lo, hi
	case "Add":
		if fx.ep.clamp || fx.ep.res >= 0 || next.Version < 7 || next.NumInputs() != 2 {
			return nil, nil
		}
		other := next.Inputs[1-pos]
		if !self.Static() || !other.Static() || other.DType != self.DType || !tensor.SameShape(self.Shape, other.Shape) {
			return nil, nil
		}
		nfx.ep.res = fx.nIn // the consumer's other input comes first after ours
	case "BatchNormalization":
		w, b, ok := foldBatchNorm(next, fx, k.group)
		if !ok {
			return nil, nil
		}
		nfx.setWeights(w, b)
		nfx.folded = true
		if nfx.packed32 == nil && nfx.packed64 == nil {
			return nil, nil
		}
	default:
		return nil, nil
	}
	return &convKernel{attrs: k.attrs, group: k.group, fx: nfx}, nil
}

// clipConstBounds reads a Clip node's bounds: attributes before opset 11,
// constant scalar inputs after; ok is false when a bound is not constant.
func clipConstBounds(b *runtime.BuildContext) (lo, hi float64, ok bool) {
	lo, hi = math.Inf(-1), math.Inf(1)
	if b.Version < 11 {
		if b.HasAttr("min") {
			lo = float64(b.Float("min", 0))
		}
		if b.HasAttr("max") {
			hi = float64(b.Float("max", 0))
		}
		return lo, hi, b.Err() == nil
	}
	for i, dst := range []*float64{&lo, &hi} {
		if !b.HasInput(i + 1) {
			continue
		}
		c := b.Const(i + 1)
		if c == nil || c.Len() != 1 || c.DType() != b.Inputs[0].DType {
			return 0, 0, false
		}
		v, err := tensor.Float64s(c)
		if err != nil {
			return 0, 0, false
		}
		*dst = v[0]
	}
	return lo, hi, true
}

// foldBatchNorm folds an inference BatchNormalization with constant
// parameters into constant convolution weights: with s = scale/√(var+ε),
// W'[m] = W[m]·s[m] and B'[m] = (B[m] − mean[m])·s[m] + bias[m]. The
// arithmetic is done in float64.
func foldBatchNorm(bn *runtime.BuildContext, fx *convFixed, group int) (w, b *tensor.Tensor, ok bool) {
	if fx.w == nil || fx.ep.clamp || fx.ep.res >= 0 || bn.Version < 9 || bn.NumInputs() != 5 {
		return nil, nil, false
	}
	if bn.Version >= 14 && bn.Int("training_mode", 0) != 0 {
		return nil, nil, false
	}
	for i := 1; i < bn.NumOutputs(); i++ {
		if bn.HasOutput(i) {
			return nil, nil, false
		}
	}
	dt := fx.w.DType()
	if dt != tensor.Float32 && dt != tensor.Float64 {
		return nil, nil, false
	}
	ws := fx.w.Shape()
	m := ws[0]
	var par [4][]float64
	for i := range par {
		c := bn.Const(i + 1)
		if c == nil || c.Len() != m {
			return nil, nil, false
		}
		v, err := tensor.Float64s(c)
		if err != nil {
			return nil, nil, false
		}
		par[i] = v
	}
	eps := float64(bn.Float("epsilon", 1e-5))
	if bn.Err() != nil {
		return nil, nil, false
	}
	wv, err := tensor.Float64s(fx.w)
	if err != nil {
		return nil, nil, false
	}
	wv = append([]float64(nil), wv...) // Float64s may return the storage itself
	bv := make([]float64, m)
	if fx.b != nil {
		if bv, err = tensor.Float64s(fx.b); err != nil || len(bv) != m {
			return nil, nil, false
		}
	}
	per := len(wv) / max(m, 1)
	nb := make([]float64, m)
	for i := range m {
		s := par[0][i] / math.Sqrt(par[3][i]+eps)
		for j := range per {
			wv[i*per+j] *= s
		}
		nb[i] = (bv[i]-par[2][i])*s + par[1][i]
	}
	if dt == tensor.Float32 {
		return tensor.MustFromSlice(ws, f64sTo[float32](wv)), tensor.MustFromSlice([]int{m}, f64sTo[float32](nb)), true
	}
	return tensor.MustFromSlice(ws, wv), tensor.MustFromSlice([]int{m}, nb), true
}

func f64sTo[T float32 | float64](v []float64) []T {
	out := make([]T, len(v))
	for i, x := range v {
		out[i] = T(x)
	}
	return out
}

// convIsDepthwise reports whether a convolution runs as the direct
// depthwise loops (one input channel per group, few outputs per group,
// small kernel) rather than as GEMMs.
func convIsDepthwise(p *convPlan) bool {
	return p.cg == 1 && p.g > 1 && p.mg <= 4 && p.win.kSize < 64
}

// convEpilogueRow finishes one row of output positions of one channel:
// row = clamp((row + b) + res).
func convEpilogueRow[T float32 | float64](row []T, b T, res []T, ep convEpilogue) {
	if r32, ok := any(row).([]float32); ok {
		lo, hi := float32(math.Inf(-1)), float32(math.Inf(1))
		if ep.clamp {
			lo, hi = float32(ep.lo), float32(ep.hi)
		}
		switch {
		case res != nil:
			vecf32.BiasAddClamp(r32, any(res).([]float32), float32(b), lo, hi)
		case ep.clamp || b != 0:
			vecf32.BiasClamp(r32, float32(b), lo, hi)
		}
		return
	}
	lo, hi := T(ep.lo), T(ep.hi)
	switch {
	case res == nil && !ep.clamp:
		if b != 0 {
			for i := range row {
				row[i] += b
			}
		}
	case res == nil:
		for i, v := range row {
			row[i] = min(max(v+b, lo), hi)
		}
	case !ep.clamp:
		res = res[:len(row)]
		for i, v := range row {
			row[i] = (v + b) + res[i]
		}
	default:
		res = res[:len(row)]
		for i, v := range row {
			row[i] = min(max((v+b)+res[i], lo), hi)
		}
	}
}

// convEpilogueAll applies the bias and epilogue to a whole output (n·m
// planes of P positions); b and res may be nil.
func convEpilogueAll[T float32 | float64](y, b, res []T, ep convEpilogue, n, m, P int) {
	if b == nil && res == nil && !ep.clamp {
		return
	}
	parallel.For(n*m, max(1, 16384/max(P, 1)), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			var bv T
			if b != nil {
				bv = b[i%m]
			}
			var r []T
			if res != nil {
				r = res[i*P : (i+1)*P]
			}
			convEpilogueRow(y[i*P:(i+1)*P], bv, r, ep)
		}
	})
}

// convGeo is how the packed path splits one convolution geometry into
// chunks of work, cached per input shape.
type convGeo struct {
	n, c int
	in   []int // spatial input shape (the cache key, with n and c)
	p    *convPlan
	// Output positions are cut into tiles of nb columns; each tile's rows
	// (output channels of a group) into blocks of rows rows.
	nb, tiles  int
	rows, rblk int
	pointwise  bool
	segs       [][][]convSegment // [tile][kernel offset]; nil when pointwise
	// deint: the last spatial axis has stride 2, and segs index the input
	// with each row split into its even then odd columns (see
	// convDeinterleave), so every segment is a contiguous run.
	deint bool
}

type convGeoCache struct{ last atomic.Pointer[convGeo] }

// convTileTarget is the preferred width of a column tile: the packed block
// of the right operand (kc × width) then fits in L2 next to the output tile.
const convTileTarget = 384

// geometry returns the chunking of p, reusing the last one when the input
// shape is the same.
func (fx *convFixed) geometry(p *convPlan, mr, nr int) *convGeo {
	if g := fx.geo.last.Load(); g != nil && g.n == p.n && g.c == p.c && tensor.SameShape(g.in, p.win.in) {
		return g
	}
	P := p.win.outSize
	g := &convGeo{n: p.n, c: p.c, in: p.win.in, p: p, pointwise: p.win.isPointwise()}
	workers := parallel.Workers()
	tiles := max(1, (P+convTileTarget-1)/convTileTarget)
	if tiles > 1 && p.n*p.g == 1 {
		tiles = roundUpInt(tiles, workers) // share the tiles out evenly
	}
	g.nb = min(P, roundUpInt((P+tiles-1)/tiles, nr))
	g.tiles = (P + g.nb - 1) / g.nb
	// Split the rows when there are fewer tiles than workers. Each block
	// of rows fills the packed columns again, so split no further.
	g.rows, g.rblk = p.mg, 1
	if chunks := p.n * p.g * g.tiles; chunks < workers && p.mg >= 2*mr {
		blocks := min((workers+chunks-1)/chunks, p.mg/mr)
		g.rows = roundUpInt((p.mg+blocks-1)/blocks, mr)
		g.rblk = (p.mg + g.rows - 1) / g.rows
	}
	if !g.pointwise {
		g.segs = make([][][]convSegment, g.tiles)
		for t := range g.segs {
			g.segs[t] = p.win.allSegments(t*g.nb, min(P, (t+1)*g.nb))
		}
		if w := p.win; w.s[len(w.s)-1] == 2 && w.inSize > 0 {
			g.deint = true
			W := w.in[len(w.in)-1]
			rows, we := w.inSize/W, (W+1)/2
			for _, tile := range g.segs {
				for _, ss := range tile {
					for i, sg := range ss {
						if sg.src < 0 {
							continue
						}
						r, c := sg.src/W, sg.src%W
						if c%2 == 0 {
							ss[i].src = r*we + c/2
						} else {
							ss[i].src = rows*we + r*(W/2) + c/2
						}
					}
				}
			}
		}
	}
	fx.geo.last.Store(g)
	return g
}

func roundUpInt(x, m int) int { return (x + m - 1) / m * m }

// convPackedForward computes y = epilogue(conv(x, W) + b) with W packed
// per group: each chunk (image, group, column tile, block of rows) fills
// the packed right operand from x and multiplies, then finishes its output
// tile while it is in cache.
func convPackedForward[T float32 | float64](rc *runtime.RunContext, fx *convFixed, p *convPlan, x []T, packed []*gemm.PackedA[T], b, res []T, y []T) error {
	win := p.win
	P, K, inSz := win.outSize, win.kSize, win.inSize
	if P == 0 || p.n == 0 || p.m == 0 {
		return nil
	}
	if len(packed) != p.g || packed[0].Rows() != p.mg || packed[0].Depth() != p.cg*K {
		return errShape("Conv weights do not match the input %v", append([]int{p.n, p.c}, p.win.in...))
	}
	geo := fx.geometry(p, packed[0].MR(), packed[0].NR())
	ep := fx.ep
	step := win.s[len(win.s)-1]
	if geo.deint {
		buf := nnGetScratch[T](len(x))
		defer nnPutScratch(buf)
		convDeinterleave(*buf, x[:p.n*p.c*inSz], win.in[len(win.in)-1], inSz)
		x, step = *buf, 1
	}
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
		w0 := min(geo.nb, P-j0)
		xg := x[(n*p.c+g*p.cg)*inSz:]
		bsz := pa.BSize(w0)
		buf := nnGetScratch[T](bsz + w0)
		defer nnPutScratch(buf)
		var fill func(dst []T, p0, kb int)
		if geo.pointwise {
			fill = func(dst []T, p0, kb int) { pa.PackB(dst, xg, P, p0, kb, j0, w0) }
		} else {
			tmp := (*buf)[bsz : bsz+w0]
			segs := geo.segs[t]
			fill = func(dst []T, p0, kb int) {
				for r := p0; r < p0+kb; r++ {
					ch, q := r/K, r%K
					im2colRow(segs[q], xg[ch*inSz:(ch+1)*inSz], step, tmp)
					pa.PackRow(dst, kb, r-p0, tmp)
				}
			}
		}
		pa.MulCols(r0, r1, w0, fill, (*buf)[:bsz], y[(n*p.m+g*p.mg+r0)*P+j0:], P, false)
		for r := r0; r < r1; r++ {
			ch := g*p.mg + r
			off := (n*p.m+ch)*P + j0
			var bv T
			if b != nil {
				bv = b[ch]
			}
			var rr []T
			if res != nil {
				rr = res[off : off+w0]
			}
			convEpilogueRow(y[off:off+w0], bv, rr, ep)
		}
	})
	return rc.Err()
}

// convDeinterleave copies the planes of x (plane elements each, rows of w)
// into dst with each plane's rows split: first every row's even columns
// (⌈w/2⌉ each), then every row's odd columns (⌊w/2⌋ each), so that a
// stride-2 run along a row is contiguous.
func convDeinterleave[T float32 | float64](dst, x []T, w, plane int) {
	planes := len(x) / plane
	rows, we, wo := plane/w, (w+1)/2, w/2
	per := max(1, 16384/plane)
	parallel.ForEach((planes+per-1)/per, func(ci int) {
		for pl := ci * per; pl < min(planes, (ci+1)*per); pl++ {
			xs, ds := x[pl*plane:(pl+1)*plane], dst[pl*plane:(pl+1)*plane]
			for r := range rows {
				row := xs[r*w : (r+1)*w]
				e, o := ds[r*we:(r+1)*we], ds[rows*we+r*wo:rows*we+(r+1)*wo]
				if r32, ok := any(row).([]float32); ok {
					vecf32.Deinterleave(any(e).([]float32), any(o).([]float32), r32)
					continue
				}
				for j := range o {
					e[j], o[j] = row[2*j], row[2*j+1]
				}
				if we > wo {
					e[we-1] = row[w-1]
				}
			}
		}
	})
}

// im2colRow writes one row of the column matrix: the values that kernel
// offset q reads from one input channel xc for the output positions of a
// tile, as described by its segments (padding reads zero).
func im2colRow[T any](segs []convSegment, xc []T, step int, row []T) {
	var zero T
	for _, sg := range segs {
		d := row[sg.dst : sg.dst+sg.n]
		switch {
		case sg.src < 0:
			for i := range d {
				d[i] = zero
			}
		case step == 1 && len(d) <= 16:
			for i, v := range xc[sg.src : sg.src+len(d)] {
				d[i] = v
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

package std

import (
	"github.com/optnet-go/optnet/internal/gemm"
	"github.com/optnet-go/optnet/internal/parallel"
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// Conv: N-D convolution (cross-correlation) of X (N, C, D1…Dn) with
// weights W (M, C/group, k1…kn) plus an optional bias B (M), with strides,
// dilations, explicit pads or auto_pad (SAME_UPPER, SAME_LOWER, VALID) and
// grouped channels (opset 1; opset 11 only clarified auto_pad and made
// kernel_shape inferable from W).
//
// It runs as im2col + GEMM over tiles of output positions (pooled column
// buffers), the image itself for 1×1 kernels, and direct loops for
// depthwise convolutions.

func init() {
	register(&runtime.Op{Type: "Conv", Since: 1, Inputs: [2]int{2, 3}, Outputs: [2]int{1, 1}, Build: buildConv})
}

type convKernel struct {
	attrs convWindowAttrs
	group int
	// What Build and fusion (conv_fused.go) prepared; zero for a plain
	// convolution whose weights are not constant.
	fx *convFixed
}

// buildConvAttrs reads the attributes every convolution-like op shares.
func buildConvAttrs(b *runtime.BuildContext) (*convKernel, error) {
	a, err := readConvWindowAttrs(b)
	if err != nil {
		return nil, err
	}
	g := b.Int("group", 1)
	if g < 1 {
		return nil, b.Errorf("group %d must be positive", g)
	}
	return &convKernel{attrs: a, group: int(g)}, b.Err()
}

func buildConv(b *runtime.BuildContext) (runtime.Kernel, error) {
	k, err := buildConvAttrs(b)
	if err != nil {
		return nil, err
	}
	k.fx = newConvFixed(b.NumInputs(), b.Const(1), b.Const(2), b.HasInput(2), k.group)
	return k, nil
}

// convPlan is one convolution's sizes.
type convPlan struct {
	n, c, m, g, cg, mg int
	win                *convWindow
}

// planConv validates X, W and B shapes for a convolution with group
// groups and resolves its geometry.
func planConv(a *convWindowAttrs, group int, xs, ws, bs []int) (*convPlan, error) {
	if len(xs) < 3 {
		return nil, errShape("Conv input %v needs rank >= 3 (N, C, spatial...)", xs)
	}
	if len(ws) != len(xs) {
		return nil, errShape("Conv weights %v must have the rank of the input %v", ws, xs)
	}
	p := &convPlan{n: xs[0], c: xs[1], m: ws[0], g: group}
	if p.c%group != 0 || p.m%group != 0 || ws[1]*group != p.c {
		return nil, errShape("Conv of input %v and weights %v with %d groups: channels do not match", xs, ws, group)
	}
	p.cg, p.mg = p.c/group, p.m/group
	if bs != nil && (len(bs) != 1 || bs[0] != p.m) {
		return nil, errShape("Conv bias %v must be (%d)", bs, p.m)
	}
	w, err := a.resolve(xs[2:], ws[2:], false)
	if err != nil {
		return nil, err
	}
	p.win = w
	return p, nil
}

func (p *convPlan) outShape() []int {
	return append([]int{p.n, p.m}, p.win.out...)
}

func (k *convKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	fx := k.fx
	x := in[0]
	wt, b, p32, p64, err := fx.weights(in)
	if err != nil {
		return nil, err
	}
	var res *tensor.Tensor
	if fx.ep.res >= 0 {
		res = in[fx.ep.res]
	}
	if err := sameDTypes([]*tensor.Tensor{x, wt, b, res}); err != nil {
		return nil, err
	}
	dt := x.DType()
	w, err := nnWiden(x, wt, b, res)
	if err != nil {
		return nil, err
	}
	x, wt, b, res = w[0], w[1], w[2], w[3]
	var bs []int
	if b != nil {
		bs = b.Shape()
	}
	p, err := planConv(&k.attrs, k.group, x.Shape(), wt.Shape(), bs)
	if err != nil {
		return nil, err
	}
	if res != nil && !tensor.SameShape(res.Shape(), p.outShape()) {
		return nil, errShape("Conv output %v and the summand %v fused with it differ", p.outShape(), res.Shape())
	}
	// The packed and vector depthwise paths write every output element, so
	// their output may be recycled storage (unless it is only a float32
	// stage of a 16-bit result); the others accumulate into zeros.
	var y *tensor.Tensor
	overwrite := (p32 != nil || p64 != nil) && !convIsDepthwise(p) || x.DType() == tensor.Float32 && convDepthwise3x3OK(p)
	if overwrite && x.DType() == dt {
		y, err = rc.Buffer(x.DType(), p.outShape()...)
	} else {
		y, err = rc.Alloc(x.DType(), p.outShape()...)
	}
	if err != nil {
		return nil, err
	}
	switch x.DType() {
	case tensor.Float32:
		err = convRun(rc, k, p, x, wt, b, res, y, p32)
	case tensor.Float64:
		err = convRun(rc, k, p, x, wt, b, res, y, p64)
	default:
		return nil, errDType("Conv does not support %v", dt)
	}
	return nnNarrow(dt, []*tensor.Tensor{y}, err)
}

// convNoDirect turns the im2col-free path off (tests compare both).
var convNoDirect = false

// convRun computes y = act(conv(x, w) + b + res) with the packed weights
// when there are some, else with convForward and a separate epilogue pass.
func convRun[T float32 | float64](rc *runtime.RunContext, k *convKernel, p *convPlan, x, wt, b, res, y *tensor.Tensor, packed []*gemm.PackedA[T]) error {
	yd := tensor.Data[T](y)
	bd, rd := nnOptData[T](b), nnOptData[T](res)
	if packed != nil && !convIsDepthwise(p) {
		if p32, ok := any(packed).([]*gemm.PackedA[float32]); ok && convDirectOK(p, p32) && !convNoDirect {
			return convDirectForward(rc, k.fx, p, tensor.Data[float32](x), p32, any(bd).([]float32), any(rd).([]float32), any(yd).([]float32))
		}
		return convPackedForward(rc, k.fx, p, tensor.Data[T](x), packed, bd, rd, yd)
	}
	if y32, ok := any(yd).([]float32); ok && convDepthwise3x3OK(p) {
		return convDepthwise3x3(rc, p, tensor.Data[float32](x), tensor.Data[float32](wt), any(bd).([]float32), any(rd).([]float32), k.fx.ep, y32)
	}
	if err := convForward(rc, p, tensor.Data[T](x), tensor.Data[T](wt), nil, yd); err != nil {
		return err
	}
	convEpilogueAll(yd, bd, rd, k.fx.ep, p.n, p.m, p.win.outSize)
	return nil
}

// nnOptData returns the storage of an optional tensor (nil when absent).
func nnOptData[T tensor.Elem](t *tensor.Tensor) []T {
	if t == nil {
		return nil
	}
	return tensor.Data[T](t)
}

// convSmallProduct is the size (multiply-adds) below which the products of a
// convolution run one per goroutine rather than each split across cores.
var convSmallProduct = 1 << 21

// convForward computes y (zeroed, N×M×out) = conv(x, w) + b.
func convForward[T tensor.Float](rc *runtime.RunContext, p *convPlan, x, w, b, y []T) error {
	win := p.win
	P, K := win.outSize, win.kSize
	ckk := p.cg * K
	inSz := win.inSize
	switch {
	case P == 0 || p.n == 0 || p.m == 0 || ckk == 0:
		// Nothing to sum: the output is the bias alone.
	case convIsDepthwise(p):
		// Depthwise (one input channel per group): direct loops.
		segs := win.allSegments(0, P)
		step := win.s[len(win.s)-1]
		parallel.For(p.n*p.m, max(1, 8192/max(1, P*K)), func(lo, hi int) {
			for i := lo; i < hi; i++ {
				n, m := i/p.m, i%p.m
				xc := x[(n*p.c+m/p.mg)*inSz : (n*p.c+m/p.mg+1)*inSz]
				yc := y[i*P : (i+1)*P]
				wm := w[m*K : (m+1)*K]
				for q, ss := range segs {
					wv := wm[q]
					for _, sg := range ss {
						if sg.src < 0 {
							continue
						}
						d := yc[sg.dst : sg.dst+sg.n]
						if step == 1 {
							for j, v := range xc[sg.src : sg.src+sg.n] {
								d[j] += wv * v
							}
							continue
						}
						src := sg.src
						for j := range d {
							d[j] += wv * xc[src]
							src += step
						}
					}
				}
			}
		})
	case win.isPointwise():
		// Y[n, g] (Mg×P) = W_g (Mg×Cg) · X[n, g] (Cg×P).
		if p.g == 1 {
			nnGemmStrided(false, false, p.m, P, p.c, 1, w, p.c, 0, x, P, p.c*P, 0, y, P, p.m*P, p.n)
			break
		}
		parallel.For(p.n*p.g, 1, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				n, g := i/p.g, i%p.g
				nnGemm(false, false, p.mg, P, p.cg, 1, w[g*p.mg*p.cg:], p.cg,
					x[(n*p.c+g*p.cg)*P:], P, 0, y[(n*p.m+g*p.mg)*P:], P)
			}
		})
	default:
		tn := convTileWidth(ckk, P)
		tiles := (P + tn - 1) / tn
		tileSegs := make([][][]convSegment, tiles)
		for t := range tileSegs {
			tileSegs[t] = win.allSegments(t*tn, min(P, (t+1)*tn))
		}
		items := p.n * p.g * tiles
		item := func(i int, col []T, par bool) {
			t := i % tiles
			ng := i / tiles
			n, g := ng/p.g, ng%p.g
			p0 := t * tn
			w0 := min(tn, P-p0)
			im2col(win, tileSegs[t], x[(n*p.c+g*p.cg)*inSz:], p.cg, w0, col, par)
			nnGemm(false, false, p.mg, w0, ckk, 1, w[g*p.mg*ckk:], ckk, col, w0, 0, y[(n*p.m+g*p.mg)*P+p0:], P)
		}
		if items > 1 && p.mg*ckk*tn < convSmallProduct {
			// Many small products: one per goroutine.
			parallel.For(items, 1, func(lo, hi int) {
				buf := nnGetScratch[T](ckk * tn)
				defer nnPutScratch(buf)
				for i := lo; i < hi; i++ {
					if rc.Err() != nil {
						return
					}
					item(i, *buf, false)
				}
			})
			if err := rc.Err(); err != nil {
				return err
			}
			break
		}
		buf := nnGetScratch[T](ckk * tn)
		defer nnPutScratch(buf)
		for i := 0; i < items; i++ {
			if err := rc.Err(); err != nil {
				return err
			}
			item(i, *buf, true)
		}
	}
	if b != nil {
		convAddBias(y, b, p.n, p.m, P)
	}
	return nil
}

// InferShapes computes the output shape when the input and weight shapes
// are known.
func (k *convKernel) InferShapes(in []runtime.Fact) ([]runtime.Fact, error) {
	return convWindowFacts(in, func(xs, ws []int) ([]int, error) {
		p, err := planConv(&k.attrs, k.group, xs, ws, nil)
		if err != nil {
			return nil, err
		}
		return p.outShape(), nil
	})
}

// convWindowFacts infers a windowed op's output from static X and W shapes.
func convWindowFacts(in []runtime.Fact, shape func(xs, ws []int) ([]int, error)) ([]runtime.Fact, error) {
	out := runtime.Fact{DType: in[0].DType}
	if in[0].Static() && in[1].Static() {
		s, err := shape(in[0].Shape, in[1].Shape)
		if err != nil {
			return nil, err
		}
		out.Shape, out.HasShape = s, true
	} else if in[0].HasShape {
		out.Shape, out.HasShape = make([]int, len(in[0].Shape)), true
		for i := range out.Shape {
			out.Shape[i] = -1
		}
		if len(out.Shape) > 0 {
			out.Shape[0] = in[0].Shape[0]
		}
	}
	return []runtime.Fact{out}, nil
}

// Backward: dB sums dY; per image and group dW_g += dY_g·colᵀ and dX_g =
// col2im(W_gᵀ·dY_g), with col the im2col matrix of X.
func (k *convKernel) Backward(rc *runtime.RunContext, f *runtime.Forward, g []*tensor.Tensor) ([]*tensor.Tensor, error) {
	out := make([]*tensor.Tensor, len(f.Inputs))
	gy := g[0]
	if gy == nil {
		return out, nil
	}
	if err := nnFloatGrads(append([]*tensor.Tensor{gy}, f.Inputs...)...); err != nil {
		return nil, err
	}
	x, w := f.Inputs[0], f.Inputs[1]
	p, err := planConv(&k.attrs, k.group, x.Shape(), w.Shape(), nil)
	if err != nil {
		return nil, err
	}
	if !tensor.SameShape(gy.Shape(), p.outShape()) {
		return nil, errShape("Conv gradient %v, output is %v", gy.Shape(), p.outShape())
	}
	if x.DType() == tensor.Float32 {
		err = convGrad[float32](rc, p, f, gy, out)
	} else {
		err = convGrad[float64](rc, p, f, gy, out)
	}
	return out, err
}

func convGrad[T tensor.Float](rc *runtime.RunContext, p *convPlan, f *runtime.Forward, gy *tensor.Tensor, out []*tensor.Tensor) error {
	x, w := f.Inputs[0], f.Inputs[1]
	xd, wd, gd := tensor.Data[T](x), tensor.Data[T](w), tensor.Data[T](gy)
	win := p.win
	P := win.outSize
	if len(f.Inputs) > 2 && f.Inputs[2] != nil && f.NeedGrad[2] {
		out[2] = tensor.MustFromSlice([]int{p.m}, convSumBias(gd, p.n, p.m, P))
	}
	needX, needW := f.NeedGrad[0], f.NeedGrad[1]
	if !needX && !needW {
		return nil
	}
	var gx, gw []T
	if needX {
		out[0] = tensor.Make[T](x.Shape()...)
		gx = tensor.Data[T](out[0])
	}
	if needW {
		out[1] = tensor.Make[T](w.Shape()...)
		gw = tensor.Data[T](out[1])
	}
	return convGradCore(rc, p, xd, wd, gd, gx, gw)
}

// convGradCore accumulates the input and weight gradients of a
// convolution (either may be nil).
func convGradCore[T tensor.Float](rc *runtime.RunContext, p *convPlan, x, w, gy, gx, gw []T) error {
	win := p.win
	P, inSz := win.outSize, win.inSize
	ckk := p.cg * win.kSize
	if P == 0 || ckk == 0 || p.n == 0 {
		return nil
	}
	tn := convTileWidth(ckk, P)
	// The images are split into one contiguous range per worker: each
	// range writes its own images' input gradients and accumulates its own
	// copy of the weight gradient (the first range into gw itself); the
	// copies are added in range order, so the result depends only on the
	// number of workers.
	chunk := (p.n + parallel.Workers() - 1) / parallel.Workers()
	chunks := (p.n + chunk - 1) / chunk
	gws := make([][]T, chunks)
	gws[0] = gw
	if gw != nil {
		for c := 1; c < chunks; c++ {
			gws[c] = make([]T, len(gw))
		}
	}
	errs := make([]error, chunks)
	parallel.ForEach(chunks, func(c int) {
		col := nnGetScratch[T](ckk * tn)
		defer nnPutScratch(col)
		gwc := gws[c]
		for p0 := 0; p0 < P; p0 += tn {
			w0 := min(tn, P-p0)
			segs := win.allSegments(p0, p0+w0)
			for n := c * chunk; n < min((c+1)*chunk, p.n); n++ {
				if err := rc.Err(); err != nil {
					errs[c] = err
					return
				}
				for g := 0; g < p.g; g++ {
					dy := gy[(n*p.m+g*p.mg)*P+p0:]
					wg := w[g*p.mg*ckk:]
					if gwc != nil {
						im2col(win, segs, x[(n*p.c+g*p.cg)*inSz:], p.cg, w0, *col, true)
						nnGemm(false, true, p.mg, ckk, w0, 1, dy, P, *col, w0, 1, gwc[g*p.mg*ckk:], ckk)
					}
					if gx != nil {
						nnGemm(true, false, ckk, w0, p.mg, 1, wg, ckk, dy, P, 0, *col, w0)
						col2im(win, segs, *col, p.cg, w0, gx[(n*p.c+g*p.cg)*inSz:], true)
					}
				}
			}
		}
	})
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	for c := 1; c < chunks && gw != nil; c++ {
		for i, v := range gws[c] {
			gw[i] += v
		}
	}
	return nil
}

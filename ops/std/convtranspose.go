package std

import (
	"github.com/optnet-go/optnet/internal/parallel"
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// ConvTranspose: the transpose (adjoint) of Conv — each input element of X
// (N, C, D1…Dn) scatters W (C, M/group, k1…kn) into the output at stride
// spacing — plus an optional bias (M). The output size comes from pads
// and output_padding, or from output_shape / auto_pad, which then decide
// the pads (opset 1; opset 11 fixed the auto_pad and output_shape rules).
//
// It runs as GEMM (Wᵀ·X) + col2im over tiles of input positions.

func init() {
	register(&runtime.Op{Type: "ConvTranspose", Since: 1, Inputs: [2]int{2, 3}, Outputs: [2]int{1, 1}, Build: buildConvTranspose})
}

type convTransposeKernel struct {
	attrs       convWindowAttrs
	group       int
	outPadding  []int
	outputShape []int
}

func buildConvTranspose(b *runtime.BuildContext) (runtime.Kernel, error) {
	a, err := readConvWindowAttrs(b)
	if err != nil {
		return nil, err
	}
	k := &convTransposeKernel{
		attrs:       a,
		group:       int(b.Int("group", 1)),
		outPadding:  nnInts(b.Ints("output_padding", nil)),
		outputShape: nnInts(b.Ints("output_shape", nil)),
	}
	if k.group < 1 {
		return nil, b.Errorf("group %d must be positive", k.group)
	}
	for _, v := range k.outPadding {
		if v < 0 {
			return nil, b.Errorf("output_padding %v must not be negative", k.outPadding)
		}
	}
	for _, v := range k.outputShape {
		if v < 0 {
			return nil, b.Errorf("output_shape %v must not be negative", k.outputShape)
		}
	}
	return k, b.Err()
}

// convFloorDiv2 is ⌊v/2⌋ for any sign.
func convFloorDiv2(v int) int {
	if v < 0 {
		return -((-v + 1) / 2)
	}
	return v / 2
}

// plan resolves the output size. The window describes the equivalent
// convolution from the output (its "input") to X (its "output").
func (k *convTransposeKernel) plan(xs, ws, bs []int) (*convPlan, error) {
	if len(xs) < 3 {
		return nil, errShape("ConvTranspose input %v needs rank >= 3 (N, C, spatial...)", xs)
	}
	if len(ws) != len(xs) {
		return nil, errShape("ConvTranspose weights %v must have the rank of the input %v", ws, xs)
	}
	g := k.group
	p := &convPlan{n: xs[0], c: xs[1], g: g, mg: ws[1]}
	if ws[0] != p.c || p.c%g != 0 {
		return nil, errShape("ConvTranspose of input %v and weights %v with %d groups: channels do not match", xs, ws, g)
	}
	p.cg, p.m = p.c/g, p.mg*g
	if bs != nil && (len(bs) != 1 || bs[0] != p.m) {
		return nil, errShape("ConvTranspose bias %v must be (%d)", bs, p.m)
	}
	a := &k.attrs
	nd := len(xs) - 2
	in, kern := xs[2:], ws[2:]
	if a.kernel != nil && !tensor.SameShape(a.kernel, kern) {
		return nil, errShape("kernel_shape %v does not match the weights' %v", a.kernel, kern)
	}
	s, d, err := a.spatialDefaults(nd)
	if err != nil {
		return nil, err
	}
	op := k.outPadding
	if op == nil {
		op = make([]int, nd)
	}
	if len(op) != nd {
		return nil, errShape("output_padding %v must have %d values", op, nd)
	}
	outShape := k.outputShape
	if len(outShape) == nd+2 {
		outShape = outShape[2:]
	}
	if outShape != nil && len(outShape) != nd {
		return nil, errShape("output_shape %v must have %d values", k.outputShape, nd)
	}
	w := &convWindow{out: in, k: kern, s: s, d: d, in: make([]int, nd), pad: make([]int, nd), padEnd: make([]int, nd)}
	for i := 0; i < nd; i++ {
		if kern[i] <= 0 {
			return nil, errShape("kernel %v must be positive", kern)
		}
		full := s[i]*(in[i]-1) + op[i] + (kern[i]-1)*d[i] + 1
		target := -1
		switch {
		case outShape != nil:
			target = outShape[i]
		case a.autoPad == "SAME_UPPER" || a.autoPad == "SAME_LOWER":
			target = in[i] * s[i]
		}
		if target >= 0 {
			total := full - target
			if a.autoPad == "SAME_UPPER" {
				w.pad[i] = convFloorDiv2(total)
				w.padEnd[i] = total - w.pad[i]
			} else {
				w.padEnd[i] = convFloorDiv2(total)
				w.pad[i] = total - w.padEnd[i]
			}
			w.in[i] = target
			continue
		}
		if a.autoPad == "NOTSET" && a.pads != nil {
			w.pad[i], w.padEnd[i] = a.pads[i], a.pads[i+nd]
		}
		w.in[i] = full - w.pad[i] - w.padEnd[i]
		if w.in[i] < 0 {
			return nil, errShape("ConvTranspose pads %v leave a negative output size along axis %d", a.pads, i)
		}
	}
	w.sizes()
	p.win = w
	return p, nil
}

func (p *convPlan) transposeOutShape() []int {
	return append([]int{p.n, p.m}, p.win.in...)
}

func (k *convTransposeKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	var b *tensor.Tensor
	if len(in) > 2 {
		b = in[2]
	}
	if err := sameDTypes(in); err != nil {
		return nil, err
	}
	dt := in[0].DType()
	w, err := nnWiden(in[0], in[1], b)
	if err != nil {
		return nil, err
	}
	x, wt, b := w[0], w[1], w[2]
	var bs []int
	if b != nil {
		bs = b.Shape()
	}
	p, err := k.plan(x.Shape(), wt.Shape(), bs)
	if err != nil {
		return nil, err
	}
	y, err := rc.Alloc(x.DType(), p.transposeOutShape()...)
	if err != nil {
		return nil, err
	}
	switch x.DType() {
	case tensor.Float32:
		err = convTransposeForward(rc, p, tensor.Data[float32](x), tensor.Data[float32](wt), nnOptData[float32](b), tensor.Data[float32](y))
	case tensor.Float64:
		err = convTransposeForward(rc, p, tensor.Data[float64](x), tensor.Data[float64](wt), nnOptData[float64](b), tensor.Data[float64](y))
	default:
		return nil, errDType("ConvTranspose does not support %v", dt)
	}
	return nnNarrow(dt, []*tensor.Tensor{y}, err)
}

// convTransposeForward computes y (zeroed) = convT(x, w) + b: per image,
// group and tile of input positions, col = W_gᵀ·X_g, scattered by col2im.
func convTransposeForward[T tensor.Float](rc *runtime.RunContext, p *convPlan, x, w, b, y []T) error {
	win := p.win
	pin, ysz := win.outSize, win.inSize
	rows := p.mg * win.kSize
	if pin > 0 && rows > 0 && p.cg > 0 {
		tn := convTileWidth(rows, pin)
		tiles := (pin + tn - 1) / tn
		tileSegs := make([][][]convSegment, tiles)
		for t := range tileSegs {
			tileSegs[t] = win.allSegments(t*tn, min(pin, (t+1)*tn))
		}
		// One (image, group) per goroutine when there are several: the
		// tiles of one image overlap in the output.
		items := p.n * p.g
		par := items < 2
		body := func(lo, hi int) {
			col := nnGetScratch[T](rows * tn)
			defer nnPutScratch(col)
			for i := lo; i < hi; i++ {
				n, g := i/p.g, i%p.g
				for t := 0; t < tiles; t++ {
					if rc.Err() != nil {
						return
					}
					p0 := t * tn
					w0 := min(tn, pin-p0)
					nnGemm(true, false, rows, w0, p.cg, 1, w[g*p.cg*rows:], rows, x[(n*p.c+g*p.cg)*pin+p0:], pin, 0, *col, w0)
					col2im(win, tileSegs[t], *col, p.mg, w0, y[(n*p.m+g*p.mg)*ysz:], par)
				}
			}
		}
		if par {
			body(0, items)
		} else {
			parallel.For(items, 1, body)
		}
		if err := rc.Err(); err != nil {
			return err
		}
	}
	if b != nil {
		convAddBias(y, b, p.n, p.m, ysz)
	}
	return nil
}

// InferShapes computes the output shape when the input and weight shapes
// are known.
func (k *convTransposeKernel) InferShapes(in []runtime.Fact) ([]runtime.Fact, error) {
	return convWindowFacts(in, func(xs, ws []int) ([]int, error) {
		p, err := k.plan(xs, ws, nil)
		if err != nil {
			return nil, err
		}
		return p.transposeOutShape(), nil
	})
}

// Backward: with col = im2col(dY) over the equivalent convolution, dX_g =
// W_g·col and dW_g += X_g·colᵀ; dB sums dY.
func (k *convTransposeKernel) Backward(rc *runtime.RunContext, f *runtime.Forward, g []*tensor.Tensor) ([]*tensor.Tensor, error) {
	out := make([]*tensor.Tensor, len(f.Inputs))
	gy := g[0]
	if gy == nil {
		return out, nil
	}
	if err := nnFloatGrads(append([]*tensor.Tensor{gy}, f.Inputs...)...); err != nil {
		return nil, err
	}
	x, w := f.Inputs[0], f.Inputs[1]
	p, err := k.plan(x.Shape(), w.Shape(), nil)
	if err != nil {
		return nil, err
	}
	if !tensor.SameShape(gy.Shape(), p.transposeOutShape()) {
		return nil, errShape("ConvTranspose gradient %v, output is %v", gy.Shape(), p.transposeOutShape())
	}
	if x.DType() == tensor.Float32 {
		err = convTransposeGrad[float32](rc, p, f, gy, out)
	} else {
		err = convTransposeGrad[float64](rc, p, f, gy, out)
	}
	return out, err
}

func convTransposeGrad[T tensor.Float](rc *runtime.RunContext, p *convPlan, f *runtime.Forward, gy *tensor.Tensor, out []*tensor.Tensor) error {
	x, w := f.Inputs[0], f.Inputs[1]
	xd, wd, gd := tensor.Data[T](x), tensor.Data[T](w), tensor.Data[T](gy)
	win := p.win
	pin, ysz := win.outSize, win.inSize
	if len(f.Inputs) > 2 && f.Inputs[2] != nil && f.NeedGrad[2] {
		out[2] = tensor.MustFromSlice([]int{p.m}, convSumBias(gd, p.n, p.m, ysz))
	}
	var gx, gw []T
	if f.NeedGrad[0] {
		out[0] = tensor.Make[T](x.Shape()...)
		gx = tensor.Data[T](out[0])
	}
	if f.NeedGrad[1] {
		out[1] = tensor.Make[T](w.Shape()...)
		gw = tensor.Data[T](out[1])
	}
	rows := p.mg * win.kSize
	if (gx == nil && gw == nil) || pin == 0 || rows == 0 || p.cg == 0 {
		return nil
	}
	tn := convTileWidth(rows, pin)
	col := nnGetScratch[T](rows * tn)
	defer nnPutScratch(col)
	for p0 := 0; p0 < pin; p0 += tn {
		w0 := min(tn, pin-p0)
		segs := win.allSegments(p0, p0+w0)
		for n := 0; n < p.n; n++ {
			if err := rc.Err(); err != nil {
				return err
			}
			for g := 0; g < p.g; g++ {
				im2col(win, segs, gd[(n*p.m+g*p.mg)*ysz:], p.mg, w0, *col, true)
				if gx != nil {
					nnGemm(false, false, p.cg, w0, rows, 1, wd[g*p.cg*rows:], rows, *col, w0, 0, gx[(n*p.c+g*p.cg)*pin+p0:], pin)
				}
				if gw != nil {
					nnGemm(false, true, p.cg, rows, w0, 1, xd[(n*p.c+g*p.cg)*pin+p0:], pin, *col, w0, 1, gw[g*p.cg*rows:], rows)
				}
			}
		}
	}
	return nil
}

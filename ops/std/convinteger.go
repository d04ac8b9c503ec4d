package std

import (
	"github.com/optnet-go/optnet/internal/parallel"
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// ConvInteger: Conv of 8-bit integer X and W after subtracting their zero
// points (a scalar for X; a scalar or one per output channel for W),
// accumulated in int32; padding reads the zero point, i.e. contributes 0
// (opset 10).

func init() {
	register(&runtime.Op{Type: "ConvInteger", Since: 10, Inputs: [2]int{2, 4}, Outputs: [2]int{1, 1}, Build: buildConvInteger})
}

type convIntegerKernel struct{ conv *convKernel }

func buildConvInteger(b *runtime.BuildContext) (runtime.Kernel, error) {
	k, err := buildConv(b)
	if err != nil {
		return nil, err
	}
	return &convIntegerKernel{conv: k.(*convKernel)}, nil
}

func (k *convIntegerKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	var xzp, wzp *tensor.Tensor
	if len(in) > 2 {
		xzp = in[2]
	}
	if len(in) > 3 {
		wzp = in[3]
	}
	p, acc, err := integerConv(rc, k.conv, in[0], xzp, in[1], wzp)
	if err != nil {
		return nil, err
	}
	return out1(tensor.FromSlice(p.outShape(), acc))
}

// integerConv computes the int32 convolution of (x - xzp) and (w - wzp).
func integerConv(rc *runtime.RunContext, k *convKernel, x, xzp, w, wzp *tensor.Tensor) (*convPlan, []int32, error) {
	if !qIs8bit(x.DType()) || !qIs8bit(w.DType()) {
		return nil, nil, errDType("integer Conv needs int8/uint8 operands, got %v and %v", x.DType(), w.DType())
	}
	p, err := planConv(&k.attrs, k.group, x.Shape(), w.Shape(), nil)
	if err != nil {
		return nil, nil, err
	}
	if err := rc.CheckSize(tensor.Int32, p.outShape()); err != nil {
		return nil, nil, err
	}
	if xzp != nil && xzp.Len() != 1 {
		return nil, nil, errShape("x_zero_point %v must be a scalar", xzp.Shape())
	}
	xw, err := qWidenMinus(x, xzp, nil)
	if err != nil {
		return nil, nil, err
	}
	var wzShape []int
	if wzp != nil && wzp.Len() != 1 {
		if wzp.Rank() != 1 || wzp.Len() != p.m {
			return nil, nil, errShape("w_zero_point %v must be a scalar or have %d values", wzp.Shape(), p.m)
		}
		wzShape = append([]int{p.m}, nnOnes(w.Rank()-1)...)
	}
	ww, err := qWidenMinus(w, wzp, wzShape)
	if err != nil {
		return nil, nil, err
	}
	y := make([]int32, tensor.NumElements(p.outShape()))
	if err := convInt32(rc, p, tensor.Data[int32](xw), tensor.Data[int32](ww), y); err != nil {
		return nil, nil, err
	}
	return p, y, nil
}

// convInt32 is im2col + integer GEMM over tiles of output positions.
func convInt32(rc *runtime.RunContext, p *convPlan, x, w, y []int32) error {
	win := p.win
	P, inSz := win.outSize, win.inSize
	ckk := p.cg * win.kSize
	if P == 0 || p.n == 0 || p.m == 0 {
		return nil
	}
	if ckk == 0 {
		clear(y)
		return nil
	}
	tn := convTileWidth(ckk, P)
	tiles := (P + tn - 1) / tn
	tileSegs := make([][][]convSegment, tiles)
	for t := range tileSegs {
		tileSegs[t] = win.allSegments(t*tn, min(P, (t+1)*tn))
	}
	items := p.n * p.g * tiles
	item := func(i int, col []int32, par bool) {
		t, ng := i%tiles, i/tiles
		n, g := ng/p.g, ng%p.g
		p0 := t * tn
		w0 := min(tn, P-p0)
		im2col(win, tileSegs[t], x[(n*p.c+g*p.cg)*inSz:], p.cg, w0, col, par)
		if par {
			nnNaiveGemm(false, false, p.mg, w0, ckk, 1, w[g*p.mg*ckk:], ckk, col, w0, 0, y[(n*p.m+g*p.mg)*P+p0:], P)
		} else {
			nnNaiveGemmSerial(false, false, p.mg, w0, ckk, w[g*p.mg*ckk:], ckk, col, w0, y[(n*p.m+g*p.mg)*P+p0:], P)
		}
	}
	if items >= parallel.Workers() {
		parallel.For(items, 1, func(lo, hi int) {
			buf := nnGetScratch[int32](ckk * tn)
			defer nnPutScratch(buf)
			for i := lo; i < hi && rc.Err() == nil; i++ {
				item(i, *buf, false)
			}
		})
		return rc.Err()
	}
	buf := nnGetScratch[int32](ckk * tn)
	defer nnPutScratch(buf)
	for i := 0; i < items; i++ {
		if err := rc.Err(); err != nil {
			return err
		}
		item(i, *buf, true)
	}
	return nil
}

// InferShapes: Conv's shape in int32.
func (k *convIntegerKernel) InferShapes(in []runtime.Fact) ([]runtime.Fact, error) {
	f, err := k.conv.InferShapes(in[:2])
	if err != nil {
		return nil, err
	}
	f[0].DType = tensor.Int32
	return f, nil
}

package std

import (
	"math"

	"github.com/optnet-go/optnet/internal/parallel"
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// MaxPool: the maximum over each window of X (N, C, D1…Dn), padding never
// winning. Opset 8 added the optional Indices output (flat positions in X,
// row- or column-major per storage_order); opset 10 added ceil_mode and
// dilations; opset 11 clarified auto_pad; opset 12 added int8/uint8.

func init() {
	register(
		&runtime.Op{Type: "MaxPool", Since: 1, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1}, Build: buildMaxPool},
		&runtime.Op{Type: "MaxPool", Since: 8, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 2}, Build: buildMaxPool},
	)
}

type maxPoolKernel struct {
	attrs       poolAttrs
	columnMajor bool
	wantIndices bool
}

func buildMaxPool(b *runtime.BuildContext) (runtime.Kernel, error) {
	a, err := readPoolAttrs(b)
	if err != nil {
		return nil, err
	}
	so := b.Int("storage_order", 0)
	if so != 0 && so != 1 {
		return nil, b.Errorf("storage_order %d must be 0 or 1", so)
	}
	return &maxPoolKernel{attrs: a, columnMajor: so == 1, wantIndices: b.HasOutput(1)}, b.Err()
}

func (k *maxPoolKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	x := in[0]
	dt := x.DType()
	w, err := nnWiden(x)
	if err != nil {
		return nil, err
	}
	x = w[0]
	g, err := k.attrs.plan(rc, x.Shape(), x.DType())
	if err != nil {
		return nil, err
	}
	fast := x.DType() == tensor.Float32 && len(g.win.in) == 2 && !k.wantIndices && !rc.Recording()
	var y *tensor.Tensor
	if fast && dt == tensor.Float32 {
		y, err = rc.Buffer(x.DType(), g.outShape()...) // every element is written
	} else {
		y, err = rc.Alloc(x.DType(), g.outShape()...)
	}
	if err != nil {
		return nil, err
	}
	var arg []int
	if k.wantIndices || rc.Recording() {
		arg = make([]int, y.Len())
	}
	switch x.DType() {
	case tensor.Float32:
		if fast {
			err = maxPool2DF32(rc, g, tensor.Data[float32](x), tensor.Data[float32](y), float32(math.Inf(-1)))
			break
		}
		if len(g.win.in) == 2 && arg != nil {
			err = maxPool2DArg(rc, g, tensor.Data[float32](x), tensor.Data[float32](y), arg, float32(math.Inf(-1)))
			break
		}
		err = maxPoolRun(rc, g, tensor.Data[float32](x), tensor.Data[float32](y), arg, float32(math.Inf(-1)))
	case tensor.Float64:
		err = maxPoolRun(rc, g, tensor.Data[float64](x), tensor.Data[float64](y), arg, math.Inf(-1))
	case tensor.Int8:
		err = maxPoolRun(rc, g, tensor.Data[int8](x), tensor.Data[int8](y), arg, math.MinInt8)
	case tensor.Uint8:
		err = maxPoolRun(rc, g, tensor.Data[uint8](x), tensor.Data[uint8](y), arg, 0)
	default:
		return nil, errDType("MaxPool does not support %v", dt)
	}
	if err != nil {
		return nil, err
	}
	out := []*tensor.Tensor{y, nil}
	if k.wantIndices {
		idx := tensor.Make[int64](y.Shape()...)
		id := tensor.Data[int64](idx)
		inSz := g.win.inSize
		for i, a := range arg {
			if a < 0 || !k.columnMajor {
				id[i] = int64(a)
				continue
			}
			// Column-major: the spatial coordinates weigh in reverse.
			plane, off := a/inSz, a%inSz
			v, mul := 0, 1
			coords := make([]int, len(g.win.in))
			for d := len(g.win.in) - 1; d >= 0; d-- {
				coords[d] = off % g.win.in[d]
				off /= g.win.in[d]
			}
			for d := 0; d < len(coords); d++ {
				v += coords[d] * mul
				mul *= g.win.in[d]
			}
			id[i] = int64(plane*inSz + v)
		}
		out[1] = idx
	}
	if rc.Recording() {
		rc.Save(arg)
	}
	return nnNarrow(dt, out, nil)
}

// maxPool2DArg is maxPoolRun for 2-D planes when the argmax is wanted
// (training, the Indices output): it walks each window by the per-axis
// tap runs instead of a per-position offset table. Same results, ties and
// NaN rule as maxPoolRun.
func maxPool2DArg[T float32 | float64](rc *runtime.RunContext, g *poolGeom, x, y []T, arg []int, lowest T) error {
	w := g.win
	W := w.in[1]
	Ho, Wo := w.out[0], w.out[1]
	inSz, outSz := w.inSize, w.outSize
	rows, cols := g.taps[0], g.taps[1]
	dy, dx := w.d[0], w.d[1]
	planes := g.n * g.c
	if planes == 0 || Ho*Wo == 0 {
		return nil
	}
	per := max(1, 16384/max(1, inSz))
	chunks := (planes + per - 1) / per
	parallel.ForEach(chunks, func(ci int) {
		if rc.Err() != nil {
			return
		}
		for plane := ci * per; plane < min(planes, (ci+1)*per); plane++ {
			xp := x[plane*inSz : (plane+1)*inSz]
			yp := y[plane*outSz : (plane+1)*outSz]
			ap := arg[plane*outSz : (plane+1)*outSz]
			for oy, rt := range rows {
				for ox, ct := range cols {
					best, at := lowest, -1
					if rt.count > 0 && ct.count > 0 {
						// Branch-free: the value by vector-friendly max, the
						// position by integer selects over the taps in
						// reverse (so the first maximal tap wins); a NaN in
						// the window sends it to the exact rule below.
						best = xp[rt.first*W+ct.first]
						for i := 0; i < rt.count; i++ {
							r := (rt.first + i*dy) * W
							for j := 0; j < ct.count; j++ {
								best = max(best, xp[r+ct.first+j*dx])
							}
						}
						nan := best != best
						for i := rt.count - 1; i >= 0; i-- {
							r := (rt.first + i*dy) * W
							for j := ct.count - 1; j >= 0; j-- {
								off := r + ct.first + j*dx
								hit := 0
								if xp[off] == best {
									hit = 1
								}
								at += hit * (off - at)
							}
						}
						if nan {
							best, at = lowest, -1
							for i := 0; i < rt.count; i++ {
								r := (rt.first + i*dy) * W
								for j := 0; j < ct.count; j++ {
									off := r + ct.first + j*dx
									v := xp[off]
									if at < 0 || v > best || (v != v && best == best) {
										best, at = v, off
									}
								}
							}
						}
					}
					yp[oy*Wo+ox] = best
					if at >= 0 {
						at += plane * inSz
					}
					ap[oy*Wo+ox] = at
				}
			}
		}
	})
	return rc.Err()
}

// maxPoolRun fills y with window maxima and arg (when not nil) with their
// flat row-major positions in x (-1 for a window entirely in padding).
func maxPoolRun[T float32 | float64 | int8 | uint8](rc *runtime.RunContext, g *poolGeom, x, y []T, arg []int, lowest T) error {
	inSz, outSz := g.win.inSize, g.win.outSize
	return g.each(rc, func(plane int, b *poolBlock) {
		xp := x[plane*inSz : (plane+1)*inSz]
		yp := y[plane*outSz : (plane+1)*outSz]
		if arg == nil {
			// Values only: the branch-free builtin max (NaN wins).
			for p := b.p0; p < b.p1; p++ {
				taps := b.taps(p)
				if len(taps) == 0 {
					yp[p] = lowest
					continue
				}
				best := xp[taps[0]]
				for _, off := range taps[1:] {
					best = max(best, xp[off])
				}
				yp[p] = best
			}
			return
		}
		for p := b.p0; p < b.p1; p++ {
			best, at := lowest, -1
			for _, off := range b.taps(p) {
				v := xp[off]
				if at < 0 || v > best || (v != v && best == best) {
					best, at = v, off
				}
			}
			yp[p] = best
			if arg != nil {
				if at >= 0 {
					at += plane * inSz
				}
				arg[plane*outSz+p] = at
			}
		}
	})
}

// InferShapes computes the output shapes for a static input shape.
func (k *maxPoolKernel) InferShapes(in []runtime.Fact) ([]runtime.Fact, error) {
	f, err := poolShapeFacts(in, func(xs []int) ([]int, error) {
		w, err := k.attrs.shape(xs)
		if err != nil {
			return nil, err
		}
		return poolOutShape(xs, w), nil
	})
	if err != nil {
		return nil, err
	}
	idx := f
	idx.DType = tensor.Int64
	return []runtime.Fact{f, idx}, nil
}

// Backward routes each output gradient to the input element that won its
// window (saved by the forward pass).
func (k *maxPoolKernel) Backward(rc *runtime.RunContext, f *runtime.Forward, g []*tensor.Tensor) ([]*tensor.Tensor, error) {
	x, gy := f.Inputs[0], g[0]
	if gy == nil || !f.NeedGrad[0] {
		return []*tensor.Tensor{nil}, nil
	}
	arg, ok := f.Saved.([]int)
	if !ok || len(arg) != gy.Len() {
		return nil, errShape("MaxPool backward needs the forward's saved argmax")
	}
	if err := nnFloatGrads(x, gy); err != nil {
		return nil, err
	}
	if x.DType() == tensor.Float32 {
		return []*tensor.Tensor{poolScatterGrad[float32](x.Shape(), arg, gy)}, nil
	}
	return []*tensor.Tensor{poolScatterGrad[float64](x.Shape(), arg, gy)}, nil
}

// poolScatterGrad adds gy[i] at position arg[i] of a zero tensor of shape
// (N, C, …), in parallel over planes (each arg lies in its output's plane).
func poolScatterGrad[T tensor.Float](shape []int, arg []int, gy *tensor.Tensor) *tensor.Tensor {
	gx := tensor.Make[T](shape...)
	gd, yd := tensor.Data[T](gx), tensor.Data[T](gy)
	planes := shape[0] * shape[1]
	per := 0
	if planes > 0 {
		per = len(arg) / planes
	}
	parallel.For(planes, max(1, 4096/max(1, per)), func(lo, hi int) {
		for i := lo * per; i < hi*per; i++ {
			if a := arg[i]; a >= 0 {
				gd[a] += yd[i]
			}
		}
	})
	return gx
}

package std

import (
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// AveragePool: the mean over each window of X (N, C, D1…Dn). Padding
// counts toward the divisor only with count_include_pad (opset 7); opset
// 10 added ceil_mode (a window overhanging the padded input divides by
// its part inside it); opset 11 clarified auto_pad; dilations (opset 19)
// are accepted too.

func init() {
	register(&runtime.Op{Type: "AveragePool", Since: 1, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1}, Build: buildAveragePool})
}

type averagePoolKernel struct {
	attrs      poolAttrs
	includePad bool
}

func buildAveragePool(b *runtime.BuildContext) (runtime.Kernel, error) {
	a, err := readPoolAttrs(b)
	if err != nil {
		return nil, err
	}
	return &averagePoolKernel{attrs: a, includePad: b.Int("count_include_pad", 0) != 0}, b.Err()
}

func (k *averagePoolKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	dt := in[0].DType()
	if !isPoolFloat(dt) {
		return nil, errDType("AveragePool does not support %v", dt)
	}
	w, err := nnWiden(in[0])
	if err != nil {
		return nil, err
	}
	x := w[0]
	g, err := k.attrs.plan(rc, x.Shape(), x.DType())
	if err != nil {
		return nil, err
	}
	y, err := rc.Alloc(x.DType(), g.outShape()...)
	if err != nil {
		return nil, err
	}
	if x.DType() == tensor.Float32 {
		err = avgPoolRun(rc, g, k.includePad, tensor.Data[float32](x), tensor.Data[float32](y))
	} else {
		err = avgPoolRun(rc, g, k.includePad, tensor.Data[float64](x), tensor.Data[float64](y))
	}
	return nnNarrow(dt, []*tensor.Tensor{y}, err)
}

// avgDivisor is the number the sum of position p's window is divided by.
func avgDivisor(b *poolBlock, includePad bool, p, n int) int {
	if includePad {
		return b.padded[p-b.p0]
	}
	return n
}

func avgPoolRun[T tensor.Float](rc *runtime.RunContext, g *poolGeom, includePad bool, x, y []T) error {
	inSz, outSz := g.win.inSize, g.win.outSize
	return g.each(rc, func(plane int, b *poolBlock) {
		xp := x[plane*inSz : (plane+1)*inSz]
		yp := y[plane*outSz : (plane+1)*outSz]
		for p := b.p0; p < b.p1; p++ {
			taps := b.taps(p)
			var s T
			for _, off := range taps {
				s += xp[off]
			}
			if d := avgDivisor(b, includePad, p, len(taps)); d > 0 {
				s /= T(d)
			}
			yp[p] = s
		}
	})
}

// InferShapes computes the output shape for a static input shape.
func (k *averagePoolKernel) InferShapes(in []runtime.Fact) ([]runtime.Fact, error) {
	f, err := poolShapeFacts(in, func(xs []int) ([]int, error) {
		w, err := k.attrs.shape(xs)
		if err != nil {
			return nil, err
		}
		return poolOutShape(xs, w), nil
	})
	return []runtime.Fact{f}, err
}

// Backward spreads each output gradient evenly over its window's input
// elements (divided by the same count as the forward).
func (k *averagePoolKernel) Backward(rc *runtime.RunContext, f *runtime.Forward, g []*tensor.Tensor) ([]*tensor.Tensor, error) {
	x, gy := f.Inputs[0], g[0]
	if gy == nil || !f.NeedGrad[0] {
		return []*tensor.Tensor{nil}, nil
	}
	if err := nnFloatGrads(x, gy); err != nil {
		return nil, err
	}
	geo, err := k.attrs.plan(rc, x.Shape(), x.DType())
	if err != nil {
		return nil, err
	}
	if !tensor.SameShape(gy.Shape(), geo.outShape()) {
		return nil, errShape("AveragePool gradient %v, output is %v", gy.Shape(), geo.outShape())
	}
	if x.DType() == tensor.Float32 {
		return out1(avgPoolGrad[float32](rc, geo, k.includePad, x.Shape(), gy))
	}
	return out1(avgPoolGrad[float64](rc, geo, k.includePad, x.Shape(), gy))
}

func avgPoolGrad[T tensor.Float](rc *runtime.RunContext, g *poolGeom, includePad bool, shape []int, gy *tensor.Tensor) (*tensor.Tensor, error) {
	gx := tensor.Make[T](shape...)
	gd, yd := tensor.Data[T](gx), tensor.Data[T](gy)
	inSz, outSz := g.win.inSize, g.win.outSize
	// Planes are disjoint, so the parallel walk may accumulate in place.
	err := g.each(rc, func(plane int, b *poolBlock) {
		xp := gd[plane*inSz : (plane+1)*inSz]
		for p := b.p0; p < b.p1; p++ {
			taps := b.taps(p)
			d := avgDivisor(b, includePad, p, len(taps))
			if d == 0 {
				continue
			}
			v := yd[plane*outSz+p] / T(d)
			for _, off := range taps {
				xp[off] += v
			}
		}
	})
	return gx, err
}

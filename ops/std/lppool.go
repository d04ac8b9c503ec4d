package std

import (
	"math"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// LpPool: the p-norm (Σ|x|^p)^(1/p) over each window of X (N, C, D1…Dn),
// padding contributing nothing. Opset 1 took p as a float, opset 2 as an
// int; opset 11 clarified auto_pad; ceil_mode and dilations (opset 18) are
// accepted too.

func init() {
	register(&runtime.Op{Type: "LpPool", Since: 1, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1}, Build: buildLpPool})
}

type lpPoolKernel struct {
	attrs poolAttrs
	p     float64
}

// poolReadP reads the norm order p, a float attribute in opset 1 and an int
// one later (either kind is accepted).
func poolReadP(b *runtime.BuildContext) (float64, error) {
	p := 2.0
	if a, ok := b.Node.Attr("p"); ok && a.Kind == runtime.AttrFloat {
		p = float64(b.Float("p", 2))
	} else {
		p = float64(b.Int("p", 2))
	}
	if err := b.Err(); err != nil {
		return 0, err
	}
	if !(p > 0) || math.IsInf(p, 0) {
		return 0, b.Errorf("p %v must be positive", p)
	}
	return p, nil
}

func buildLpPool(b *runtime.BuildContext) (runtime.Kernel, error) {
	a, err := readPoolAttrs(b)
	if err != nil {
		return nil, err
	}
	p, err := poolReadP(b)
	if err != nil {
		return nil, err
	}
	return &lpPoolKernel{attrs: a, p: p}, nil
}

func (k *lpPoolKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	dt := in[0].DType()
	if !isPoolFloat(dt) {
		return nil, errDType("LpPool does not support %v", dt)
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
		err = lpPoolRun(rc, g, k.p, tensor.Data[float32](x), tensor.Data[float32](y))
	} else {
		err = lpPoolRun(rc, g, k.p, tensor.Data[float64](x), tensor.Data[float64](y))
	}
	return nnNarrow(dt, []*tensor.Tensor{y}, err)
}

func lpPoolRun[T tensor.Float](rc *runtime.RunContext, g *poolGeom, p float64, x, y []T) error {
	inSz, outSz := g.win.inSize, g.win.outSize
	return g.each(rc, func(plane int, b *poolBlock) {
		xp := x[plane*inSz : (plane+1)*inSz]
		var vals []T
		for pos := b.p0; pos < b.p1; pos++ {
			vals = vals[:0]
			for _, off := range b.taps(pos) {
				vals = append(vals, xp[off])
			}
			y[plane*outSz+pos] = poolLpNorm(vals, p)
		}
	})
}

// poolLpNorm is (Σ|v|^p)^(1/p), computed in float64.
func poolLpNorm[T tensor.Float](v []T, p float64) T {
	s := 0.0
	switch p {
	case 1:
		for _, x := range v {
			s += math.Abs(float64(x))
		}
		return T(s)
	case 2:
		for _, x := range v {
			s += float64(x) * float64(x)
		}
		return T(math.Sqrt(s))
	}
	for _, x := range v {
		s += math.Pow(math.Abs(float64(x)), p)
	}
	return T(math.Pow(s, 1/p))
}

// InferShapes computes the output shape for a static input shape.
func (k *lpPoolKernel) InferShapes(in []runtime.Fact) ([]runtime.Fact, error) {
	f, err := poolShapeFacts(in, func(xs []int) ([]int, error) {
		w, err := k.attrs.shape(xs)
		if err != nil {
			return nil, err
		}
		return poolOutShape(xs, w), nil
	})
	return []runtime.Fact{f}, err
}

package std

import (
	"math"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// NegativeLogLikelihoodLoss: for input (N, C, d1, …, dk) of log-
// probabilities and target (N, d1, …, dk) of class indices,
// loss[n, d…] = −input[n, target, d…] · weight[target] (weight optional,
// default 1; 0 where target == ignore_index), then reduction "none" (that
// tensor), "sum", or "mean" (the sum divided by the sum of the applied
// weights). Opset 12 introduced it; 13 only widened the types. This file
// also holds the loss machinery SoftmaxCrossEntropyLoss shares.

func init() {
	register(&runtime.Op{Type: "NegativeLogLikelihoodLoss", Since: 12, Inputs: [2]int{2, 3}, Outputs: [2]int{1, 1}, Build: buildLoss("NegativeLogLikelihoodLoss", false)})
}

// Loss reductions.
const (
	lossNone = iota
	lossSum
	lossMean
)

// lossKernel serves NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss
// (sce: the input is scores, turned into log-probabilities first).
type lossKernel struct {
	name      string
	sce       bool
	reduction int
	ignore    int64
	hasIgnore bool
}

func buildLoss(name string, sce bool) func(*runtime.BuildContext) (runtime.Kernel, error) {
	return func(b *runtime.BuildContext) (runtime.Kernel, error) {
		if err := normRequired(b, name, 2); err != nil {
			return nil, err
		}
		k := &lossKernel{name: name, sce: sce, hasIgnore: b.HasAttr("ignore_index"), ignore: b.Int("ignore_index", 0)}
		switch r := b.String("reduction", "mean"); r {
		case "none":
			k.reduction = lossNone
		case "sum":
			k.reduction = lossSum
		case "mean":
			k.reduction = lossMean
		default:
			return nil, b.Errorf("%s: unknown reduction %q", name, r)
		}
		return k, b.Err()
	}
}

// lossGeom is the (N, C, D) view of the input with, per (n, d) element
// e = n*D + d, its class (-1 when ignored) and weight (0 when ignored).
type lossGeom struct {
	n, c, d int
	class   []int
	w       []float64
	wsum    float64
}

func (k *lossKernel) prep(x, target, weight *tensor.Tensor) (*lossGeom, error) {
	if !x.DType().IsFloat() {
		return nil, errDType("%s does not support input of %v", k.name, x.DType())
	}
	if x.Rank() < 2 {
		return nil, errShape("%s: input must have rank >= 2, got %v", k.name, x.Shape())
	}
	if target.DType() != tensor.Int32 && target.DType() != tensor.Int64 {
		return nil, errDType("%s: target must be int32 or int64, got %v", k.name, target.DType())
	}
	xs := x.Shape()
	want := append([]int{xs[0]}, xs[2:]...)
	if !tensor.SameShape(target.Shape(), want) {
		return nil, errShape("%s: target shape %v does not match input %v (want %v)", k.name, target.Shape(), xs, want)
	}
	g := &lossGeom{n: xs[0], c: xs[1], d: 1}
	for _, v := range xs[2:] {
		g.d *= v
	}
	var wv []float64
	if weight != nil {
		if weight.DType() != x.DType() {
			return nil, errDType("%s: weight of %v for input of %v", k.name, weight.DType(), x.DType())
		}
		if weight.Rank() != 1 || weight.Len() != g.c {
			return nil, errShape("%s: weight must have shape (%d), got %v", k.name, g.c, weight.Shape())
		}
		var err error
		if wv, err = tensor.Float64s(weight); err != nil {
			return nil, err
		}
	}
	ts, err := tensor.Int64s(target)
	if err != nil {
		return nil, err
	}
	g.class = make([]int, len(ts))
	g.w = make([]float64, len(ts))
	for e, t := range ts {
		if k.hasIgnore && t == k.ignore {
			g.class[e] = -1
			continue
		}
		if t < 0 || t >= int64(g.c) {
			return nil, errShape("%s: target value %d out of range [0, %d)", k.name, t, g.c)
		}
		g.class[e] = int(t)
		g.w[e] = 1
		if wv != nil {
			g.w[e] = wv[t]
		}
		g.wsum += g.w[e]
	}
	return g, nil
}

// at is the index of (n, class, d) for element e in the input.
func (g *lossGeom) at(e, class int) int {
	n, d := e/g.d, e%g.d
	return (n*g.c+class)*g.d + d
}

// nllForward computes the loss from log-probabilities lp (float64 view of
// the input) and returns it with the target's shape, or as a scalar.
func (k *lossKernel) nllForward(lp []float64, g *lossGeom, dt tensor.DType, targetShape []int) (*tensor.Tensor, error) {
	loss := make([]float64, len(g.class))
	for e, c := range g.class {
		if c >= 0 {
			loss[e] = -lp[g.at(e, c)] * g.w[e]
		}
	}
	if k.reduction == lossNone {
		return normFromF64(dt, targetShape, loss)
	}
	s := 0.0
	for _, v := range loss {
		s += v
	}
	if k.reduction == lossMean {
		s /= g.wsum
	}
	return normFromF64(dt, []int{}, []float64{s})
}

// upstream returns the gradient factor of element e's loss: the upstream
// gradient of the output, divided by the weight sum for "mean".
func (k *lossKernel) upstream(gy []float64, g *lossGeom) func(e int) float64 {
	switch k.reduction {
	case lossNone:
		return func(e int) float64 { return gy[e] }
	case lossMean:
		return func(int) float64 { return gy[0] / g.wsum }
	}
	return func(int) float64 { return gy[0] }
}

func (k *lossKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	x, target := in[0], in[1]
	g, err := k.prep(x, target, normOpt(in, 2))
	if err != nil {
		return nil, err
	}
	if !k.sce {
		xs, err := tensor.Float64s(x)
		if err != nil {
			return nil, err
		}
		return out1(k.nllForward(xs, g, x.DType(), target.Shape()))
	}
	lpT, err := k.logProb(x, g)
	if err != nil {
		return nil, err
	}
	lp, err := tensor.Float64s(lpT)
	if err != nil {
		return nil, err
	}
	loss, err := k.nllForward(lp, g, x.DType(), target.Shape())
	if err != nil {
		return nil, err
	}
	return []*tensor.Tensor{loss, lpT}, nil
}

// logProb returns log-softmax of the scores over the class axis, in the
// scores' dtype.
func (k *lossKernel) logProb(x *tensor.Tensor, g *lossGeom) (*tensor.Tensor, error) {
	w, err := normWiden(k.name, x)
	if err != nil {
		return nil, err
	}
	var lp *tensor.Tensor
	switch w.DType() {
	case tensor.Float32:
		lp = tensor.Make[float32](x.Shape()...)
		softmaxForward(tensor.Data[float32](lp), tensor.Data[float32](w), g.n, g.c, g.d, smLogSoftmax)
	case tensor.Float64:
		lp = tensor.Make[float64](x.Shape()...)
		softmaxForward(tensor.Data[float64](lp), tensor.Data[float64](w), g.n, g.c, g.d, smLogSoftmax)
	}
	return tensor.Convert(lp, x.DType())
}

// InferShapes: the loss has the target's shape ("none") or is a scalar;
// log_prob (SoftmaxCrossEntropyLoss) has the scores' shape.
func (k *lossKernel) InferShapes(in []runtime.Fact) ([]runtime.Fact, error) {
	loss := runtime.Fact{DType: in[0].DType}
	if k.reduction != lossNone {
		loss.Shape, loss.HasShape = []int{}, true
	} else if in[1].HasShape {
		loss.Shape, loss.HasShape = in[1].Shape, true
	}
	x := in[0]
	return []runtime.Fact{loss, {DType: x.DType, Shape: x.Shape, HasShape: x.HasShape}}, nil
}

// Backward (target gets none). NLL: d input[n, t, d] = −w·G, zero
// elsewhere, where G is the upstream gradient of the element's loss
// (divided by Σw for "mean"). SoftmaxCrossEntropyLoss:
// d scores = w·G·(softmax − onehot(t)), plus g_lp − softmax·Σ_c g_lp when
// the log_prob output reaches the loss too. Weight: for "none" and "sum"
// d weight[c] = Σ_{t=c} G·(−logp); for "mean", where the loss is
// L = Σ w·(−logp) / Σ w, d weight[c] = Σ_{t=c} G·(−logp − L)/Σw.
func (k *lossKernel) Backward(rc *runtime.RunContext, f *runtime.Forward, gOut []*tensor.Tensor) ([]*tensor.Tensor, error) {
	out := make([]*tensor.Tensor, len(f.Inputs))
	x, weight := f.Inputs[0], normOpt(f.Inputs, 2)
	needW := weight != nil && len(f.NeedGrad) > 2 && f.NeedGrad[2]
	if !f.NeedGrad[0] && !needW {
		return out, nil
	}
	g, err := k.prep(x, f.Inputs[1], weight)
	if err != nil {
		return nil, err
	}
	gs, err := normGradF64(gOut, 2)
	if err != nil {
		return nil, err
	}
	// Log-probabilities: the input itself (NLL), or the log_prob output
	// (recomputed when the node did not produce it).
	lpT := x
	if k.sce {
		if lpT = normOpt(f.Outputs, 1); lpT == nil {
			if lpT, err = k.logProb(x, g); err != nil {
				return nil, err
			}
		}
	}
	lp, err := tensor.Float64s(lpT)
	if err != nil {
		return nil, err
	}
	var up func(int) float64
	if gs[0] != nil {
		up = k.upstream(gs[0], g)
	}
	if needW {
		dw := make([]float64, g.c)
		if up != nil {
			mean := 0.0
			if k.reduction == lossMean {
				for e, c := range g.class {
					if c >= 0 {
						mean -= g.w[e] * lp[g.at(e, c)]
					}
				}
				mean /= g.wsum
			}
			for e, c := range g.class {
				if c >= 0 {
					dw[c] += up(e) * (-lp[g.at(e, c)] - mean)
				}
			}
		}
		if out[2], err = normFromF64(weight.DType(), weight.Shape(), dw); err != nil {
			return nil, err
		}
	}
	if !f.NeedGrad[0] {
		return out, nil
	}
	dx := make([]float64, x.Len())
	if !k.sce {
		if up != nil {
			for e, c := range g.class {
				if c >= 0 {
					dx[g.at(e, c)] = -g.w[e] * up(e)
				}
			}
		}
		out[0], err = normFromF64(x.DType(), x.Shape(), dx)
		return out, err
	}
	glp := gs[1]
	for e, c := range g.class {
		coef := 0.0
		if up != nil && c >= 0 {
			coef = g.w[e] * up(e)
		}
		sg := 0.0
		if glp != nil {
			for j := 0; j < g.c; j++ {
				sg += glp[g.at(e, j)]
			}
		}
		if coef == 0 && glp == nil {
			continue
		}
		for j := 0; j < g.c; j++ {
			p := g.at(e, j)
			prob := math.Exp(lp[p])
			v := coef * prob
			if j == c {
				v -= coef
			}
			if glp != nil {
				v += glp[p] - prob*sg
			}
			dx[p] = v
		}
	}
	out[0], err = normFromF64(x.DType(), x.Shape(), dx)
	return out, err
}

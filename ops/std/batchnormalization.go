package std

import (
	"math"

	"github.com/optnet-go/optnet/internal/parallel"
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// BatchNormalization: Y = (X - mean) / sqrt(var + epsilon) * scale + B per
// channel (dim 1) of X (N, C, D1, ...). In inference the given mean and var
// are used. In training — opset 14+ attribute training_mode=1, a training
// run (RunContext.Training), or before opset 14 a node that asks for more
// than Y — the batch statistics (mean and population variance over every
// dim but C) are used and the running statistics are output:
// running = input*momentum + batch*(1-momentum). Opset history: 1 (is_test,
// consumed_inputs, spatial), 6 (consumed_inputs removed), 7 (is_test
// removed; outputs Y, mean, var, saved_mean, saved_var — saved_var is the
// batch variance here), 9 (spatial removed; spatial=0 normalised per
// C×D1×… feature), 14 (training_mode; outputs Y, running_mean,
// running_var), 15 (scale/B and mean/var may have their own float types).
// The op is marked Stateful: its result depends on the run's training flag,
// so it is never constant-folded.

func init() {
	for _, v := range []int{1, 7, 9, 14} {
		outs := 5
		if v >= 14 {
			outs = 3
		}
		register(&runtime.Op{Type: "BatchNormalization", Since: v, Inputs: [2]int{5, 5}, Outputs: [2]int{1, outs}, Stateful: true, Build: buildBatchNorm})
	}
}

type batchNormKernel struct {
	version     int
	eps, mom    float64
	trainAttr   bool // training_mode=1 (opset 14+)
	isTest      bool // is_test=1 (opset < 7)
	perFeature  bool // spatial=0 (opset < 9)
	extraOutput bool // an output beyond Y is requested
	nout        int
}

func buildBatchNorm(b *runtime.BuildContext) (runtime.Kernel, error) {
	if err := normRequired(b, "BatchNormalization", 5); err != nil {
		return nil, err
	}
	k := &batchNormKernel{
		version: b.Version,
		eps:     float64(b.Float("epsilon", 1e-5)),
		mom:     float64(b.Float("momentum", 0.9)),
		nout:    b.NumOutputs(),
	}
	if b.Version >= 14 {
		k.trainAttr = b.Int("training_mode", 0) != 0
	}
	if b.Version < 7 {
		k.isTest = b.Int("is_test", 0) != 0
	}
	if b.Version < 9 {
		k.perFeature = b.Int("spatial", 1) == 0
	}
	for i := 1; i < b.NumOutputs(); i++ {
		k.extraOutput = k.extraOutput || b.HasOutput(i)
	}
	return k, b.Err()
}

// training reports whether this run normalises with batch statistics.
func (k *batchNormKernel) training(rc *runtime.RunContext) bool {
	if k.version >= 14 {
		return k.trainAttr || rc.Training()
	}
	return !k.isTest && (rc.Training() || k.extraOutput)
}

// bnGeom is X viewed as (N, C, S) with the per-channel parameters.
type bnGeom struct {
	n, c, s                 int
	scale, bias, mean, vari []float64
}

func (k *batchNormKernel) prep(in []*tensor.Tensor) (*bnGeom, error) {
	x := in[0]
	if x.Rank() < 2 {
		return nil, errShape("BatchNormalization: X must have rank >= 2, got %v", x.Shape())
	}
	if !x.DType().IsFloat() {
		return nil, errDType("BatchNormalization does not support %v", x.DType())
	}
	g := &bnGeom{n: x.Dim(0), c: x.Dim(1), s: 1}
	for _, d := range x.Shape()[2:] {
		g.s *= d
	}
	if k.perFeature {
		g.c, g.s = g.c*g.s, 1
	}
	names := []string{"scale", "B", "mean", "var"}
	dst := []*[]float64{&g.scale, &g.bias, &g.mean, &g.vari}
	for i, name := range names {
		p := in[i+1]
		if p == nil {
			return nil, errShape("BatchNormalization: input %s is missing", name)
		}
		v, err := normParams("BatchNormalization", name, p)
		if err != nil {
			return nil, err
		}
		if len(v) != g.c {
			return nil, errShape("BatchNormalization: %s has %d elements for %d channels of X %v", name, len(v), g.c, x.Shape())
		}
		*dst[i] = v
	}
	return g, nil
}

// bnSaved is what a recorded forward keeps: the statistics it used.
type bnSaved struct {
	training        bool
	mean, vari, inv []float64 // per channel
}

func (k *batchNormKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	x := in[0]
	g, err := k.prep(in)
	if err != nil {
		return nil, err
	}
	w, err := normWiden("BatchNormalization", x)
	if err != nil {
		return nil, err
	}
	train := k.training(rc)
	mean, vari := g.mean, g.vari
	if train {
		switch w.DType() {
		case tensor.Float32:
			mean, vari = bnStats(tensor.Data[float32](w), g)
		case tensor.Float64:
			mean, vari = bnStats(tensor.Data[float64](w), g)
		}
	}
	inv := make([]float64, g.c)
	a := make([]float64, g.c)
	b := make([]float64, g.c)
	for c := range inv {
		inv[c] = 1 / math.Sqrt(vari[c]+k.eps)
		a[c] = g.scale[c] * inv[c]
		b[c] = g.bias[c] - mean[c]*a[c]
	}
	var y *tensor.Tensor
	switch w.DType() {
	case tensor.Float32:
		y = tensor.Make[float32](x.Shape()...)
		bnApply(tensor.Data[float32](y), tensor.Data[float32](w), g, normCast[float32](a), normCast[float32](b))
	case tensor.Float64:
		y = tensor.Make[float64](x.Shape()...)
		bnApply(tensor.Data[float64](y), tensor.Data[float64](w), g, a, b)
	}
	if rc.Recording() {
		rc.Save(&bnSaved{training: train, mean: mean, vari: vari, inv: inv})
	}
	out := make([]*tensor.Tensor, k.nout)
	if out[0], err = tensor.Convert(y, x.DType()); err != nil {
		return nil, err
	}
	if !k.extraOutput {
		return out, nil
	}
	// Running statistics (inference: the inputs unchanged).
	rm, rv := g.mean, g.vari
	if train {
		rm, rv = k.running(g, mean, vari)
	}
	stats := [][]float64{rm, rv, mean, vari}
	for i, v := range stats {
		if i+1 >= len(out) {
			break
		}
		src := in[3+i%2]
		if out[i+1], err = normFromF64(src.DType(), src.Shape(), v); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// running blends the input statistics with the batch's:
// input·momentum + batch·(1−momentum).
func (k *batchNormKernel) running(g *bnGeom, mean, vari []float64) (rm, rv []float64) {
	rm, rv = make([]float64, g.c), make([]float64, g.c)
	for c := range rm {
		rm[c] = g.mean[c]*k.mom + mean[c]*(1-k.mom)
		rv[c] = g.vari[c]*k.mom + vari[c]*(1-k.mom)
	}
	return rm, rv
}

// UpdatedInputs (runtime.StateUpdater) returns, for a training forward,
// the new running mean and variance as replacements of inputs 3 and 4, so
// a trainer can store them back into their variables. A forward that used
// the given statistics (inference) updates nothing.
func (k *batchNormKernel) UpdatedInputs(f *runtime.Forward) map[int]*tensor.Tensor {
	g, err := k.prep(f.Inputs)
	if err != nil {
		return nil
	}
	mean, vari := []float64(nil), []float64(nil)
	if sv, ok := f.Saved.(*bnSaved); ok {
		if !sv.training {
			return nil
		}
		mean, vari = sv.mean, sv.vari
	} else {
		// Not recorded (off the gradient path): the trainer keeps such
		// forwards only for training runs.
		if k.isTest {
			return nil
		}
		xs, err := tensor.Float64s(f.Inputs[0])
		if err != nil {
			return nil
		}
		mean, vari = bnStats(xs, g)
	}
	rm, rv := k.running(g, mean, vari)
	out := map[int]*tensor.Tensor{}
	for i, v := range [][]float64{rm, rv} {
		src := f.Inputs[3+i]
		t, err := normFromF64(src.DType(), src.Shape(), v)
		if err != nil {
			return nil
		}
		out[3+i] = t
	}
	return out
}

// bnStats returns per-channel batch mean and population variance.
func bnStats[T tensor.Float](x []T, g *bnGeom) (mean, vari []float64) {
	mean, vari = make([]float64, g.c), make([]float64, g.c)
	cnt := float64(g.n * g.s)
	parallel.For(g.c, max(1, normGrain/max(g.n*g.s, 1)), func(lo, hi int) {
		for c := lo; c < hi; c++ {
			s := 0.0
			for n := 0; n < g.n; n++ {
				for _, v := range x[(n*g.c+c)*g.s : (n*g.c+c+1)*g.s] {
					s += float64(v)
				}
			}
			mu := s / cnt
			q := 0.0
			for n := 0; n < g.n; n++ {
				for _, v := range x[(n*g.c+c)*g.s : (n*g.c+c+1)*g.s] {
					d := float64(v) - mu
					q += d * d
				}
			}
			if cnt > 0 {
				mean[c], vari[c] = mu, q/cnt
			}
		}
	})
	return mean, vari
}

// bnApply computes y = x*a[c] + b[c] plane by plane.
func bnApply[T tensor.Float](y, x []T, g *bnGeom, a, b []T) {
	planes := g.n * g.c
	parallel.For(planes, max(1, normGrain/max(g.s, 1)), func(lo, hi int) {
		for p := lo; p < hi; p++ {
			c := p % g.c
			ac, bc := a[c], b[c]
			dst, src := y[p*g.s:(p+1)*g.s], x[p*g.s:(p+1)*g.s]
			for i, v := range src {
				dst[i] = v*ac + bc
			}
		}
	})
}

// InferShapes: Y like X; running statistics like the given mean and var.
func (k *batchNormKernel) InferShapes(in []runtime.Fact) ([]runtime.Fact, error) {
	x := in[0]
	out := []runtime.Fact{{DType: x.DType, Shape: x.Shape, HasShape: x.HasShape}}
	for i := 0; i < 4; i++ {
		p := in[3+i%2]
		out = append(out, runtime.Fact{DType: p.DType, Shape: p.Shape, HasShape: p.HasShape})
	}
	return out, nil
}

// Backward. Training (batch statistics μ, σ⁻¹ over the M = N·S elements
// of a channel, x̂ = (x-μ)σ⁻¹): dB = Σg, dscale = Σ g·x̂,
// dx = scale·σ⁻¹/M · (M·g − dB − x̂·dscale), plus the terms of the running
// (and saved) statistics outputs when they reach the loss; input_mean and
// input_var get momentum times their running outputs' gradients.
// Inference: dx = g·scale·σ⁻¹, dscale = Σ g·x̂, dB = Σ g,
// dmean = −Σ g·scale·σ⁻¹, dvar = −½ Σ g·scale·(x−mean)·σ⁻³.
func (k *batchNormKernel) Backward(rc *runtime.RunContext, f *runtime.Forward, gOut []*tensor.Tensor) ([]*tensor.Tensor, error) {
	x := f.Inputs[0]
	g, err := k.prep(f.Inputs)
	if err != nil {
		return nil, err
	}
	xs, err := tensor.Float64s(x)
	if err != nil {
		return nil, err
	}
	gs, err := normGradF64(gOut, 5)
	if err != nil {
		return nil, err
	}
	sv, _ := f.Saved.(*bnSaved)
	if sv == nil {
		train := k.training(rc)
		mean, vari := g.mean, g.vari
		if train {
			mean, vari = bnStats(xs, g)
		}
		sv = &bnSaved{training: train, mean: mean, inv: make([]float64, g.c)}
		for c := range vari {
			sv.inv[c] = 1 / math.Sqrt(vari[c]+k.eps)
		}
	}
	gy := gs[0]
	// Per-channel gradients of the statistics outputs: gMu multiplies μ,
	// gVar multiplies the variance.
	gMu, gVar := make([]float64, g.c), make([]float64, g.c)
	dInMean, dInVar := make([]float64, g.c), make([]float64, g.c)
	for c := 0; c < g.c; c++ {
		rm, rv, smu, svar := bnAt(gs[1], c), bnAt(gs[2], c), bnAt(gs[3], c), bnAt(gs[4], c)
		if sv.training {
			gMu[c] = (1-k.mom)*rm + smu
			gVar[c] = (1-k.mom)*rv + svar
			dInMean[c], dInVar[c] = k.mom*rm, k.mom*rv
		} else {
			dInMean[c], dInVar[c] = rm+smu, rv+svar
		}
	}
	// Per-channel sums Σg and Σg·x̂.
	sumG, sumGX := make([]float64, g.c), make([]float64, g.c)
	m := float64(g.n * g.s)
	parallel.For(g.c, max(1, normGrain/max(g.n*g.s, 1)), func(lo, hi int) {
		for c := lo; c < hi; c++ {
			if gy == nil {
				continue
			}
			mu, iv := sv.mean[c], sv.inv[c]
			s, sx := 0.0, 0.0
			for n := 0; n < g.n; n++ {
				p := (n*g.c + c) * g.s
				for i := p; i < p+g.s; i++ {
					s += gy[i]
					sx += gy[i] * (xs[i] - mu) * iv
				}
			}
			sumG[c], sumGX[c] = s, sx
		}
	})
	dx := make([]float64, len(xs))
	parallel.For(g.n*g.c, max(1, normGrain/max(g.s, 1)), func(lo, hi int) {
		for p := lo; p < hi; p++ {
			c := p % g.c
			mu, iv := sv.mean[c], sv.inv[c]
			a := g.scale[c] * iv
			for i := p * g.s; i < (p+1)*g.s; i++ {
				v := 0.0
				if gy != nil {
					if sv.training {
						v = a / m * (m*gy[i] - sumG[c] - (xs[i]-mu)*iv*sumGX[c])
					} else {
						v = gy[i] * a
					}
				}
				if sv.training && m > 0 {
					v += gMu[c]/m + gVar[c]*2*(xs[i]-mu)/m
				}
				dx[i] = v
			}
		}
	})
	out := make([]*tensor.Tensor, 5)
	per := [][]float64{dx, sumGX, sumG, dInMean, dInVar}
	if !sv.training && gy != nil {
		// The given mean and var are inputs of the normalisation.
		for c := 0; c < g.c; c++ {
			iv := sv.inv[c]
			per[3][c] -= sumG[c] * g.scale[c] * iv
			per[4][c] -= 0.5 * g.scale[c] * sumGX[c] * iv * iv
		}
	}
	for i := range out {
		if i >= len(f.NeedGrad) || !f.NeedGrad[i] {
			continue
		}
		t := f.Inputs[i]
		if out[i], err = normFromF64(t.DType(), t.Shape(), per[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// bnAt returns v[c], or 0 for an absent gradient.
func bnAt(v []float64, c int) float64 {
	if v == nil {
		return 0
	}
	return v[c]
}

package std

import (
	"math"

	"github.com/optnet-go/optnet/internal/parallel"
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// LayerNormalization (opset 17): normalises X over its trailing dims
// [axis, rank) — Y = (X - Mean) * InvStdDev * Scale + B with
// InvStdDev = 1/sqrt(Var + epsilon) (population variance) — and optionally
// outputs Mean and InvStdDev (shape X.shape[:axis] + ones, dtype given by
// stash_type). Scale and B broadcast over the normalised dims. Statistics
// accumulate in float64; float16/bfloat16 inputs compute in float32.

func init() {
	register(&runtime.Op{Type: "LayerNormalization", Since: 17, Inputs: [2]int{2, 3}, Outputs: [2]int{1, 3}, Build: buildLayerNorm})
}

type layerNormKernel struct {
	axis  int64
	eps   float64
	stash tensor.DType // dtype of Mean and InvStdDev
}

func buildLayerNorm(b *runtime.BuildContext) (runtime.Kernel, error) {
	if err := normRequired(b, "LayerNormalization", 2); err != nil {
		return nil, err
	}
	k := &layerNormKernel{axis: b.Int("axis", -1), eps: float64(b.Float("epsilon", 1e-5))}
	st := b.Int("stash_type", 1)
	var ok bool
	if k.stash, ok = normStash(st); !ok {
		return nil, b.Errorf("LayerNormalization: unsupported stash_type %d", st)
	}
	return k, b.Err()
}

// prep validates the inputs and returns the split point, the row count and
// length, and Scale and B expanded over the normalised dims.
func (k *layerNormKernel) prep(x, scale, bias *tensor.Tensor) (a, outer, m int, s, bv []float64, err error) {
	if !x.DType().IsFloat() {
		return 0, 0, 0, nil, nil, errDType("LayerNormalization does not support %v", x.DType())
	}
	if err := sameDTypes([]*tensor.Tensor{x, scale, bias}); err != nil {
		return 0, 0, 0, nil, nil, err
	}
	if a, err = normAxis(k.axis, x.Rank()); err != nil {
		return 0, 0, 0, nil, nil, err
	}
	norm := x.Shape()[a:]
	outer, m = 1, tensor.NumElements(norm)
	for _, d := range x.Shape()[:a] {
		outer *= d
	}
	for _, p := range []*tensor.Tensor{scale, bias} {
		if p != nil && p.Rank() > len(norm) {
			return 0, 0, 0, nil, nil, errShape("LayerNormalization: scale/bias %v do not broadcast over the normalised dims %v", p.Shape(), norm)
		}
	}
	if s, err = normExpand(scale, norm); err != nil {
		return 0, 0, 0, nil, nil, err
	}
	if bias != nil {
		if bv, err = normExpand(bias, norm); err != nil {
			return 0, 0, 0, nil, nil, err
		}
	}
	return a, outer, m, s, bv, nil
}

// statShape is the shape of Mean and InvStdDev.
func layerNormStatShape(shape []int, a int) []int {
	s := append([]int(nil), shape...)
	for i := a; i < len(s); i++ {
		s[i] = 1
	}
	return s
}

func (k *layerNormKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	x := in[0]
	a, outer, m, s, bv, err := k.prep(x, in[1], normOpt(in, 2))
	if err != nil {
		return nil, err
	}
	w, err := normWiden("LayerNormalization", x)
	if err != nil {
		return nil, err
	}
	mean := make([]float64, outer)
	inv := make([]float64, outer)
	var y *tensor.Tensor
	switch w.DType() {
	case tensor.Float32:
		y = tensor.Make[float32](x.Shape()...)
		layerNormForward(tensor.Data[float32](y), tensor.Data[float32](w), normCast[float32](s), normCast[float32](bv), outer, m, k.eps, mean, inv)
	case tensor.Float64:
		y = tensor.Make[float64](x.Shape()...)
		layerNormForward(tensor.Data[float64](y), tensor.Data[float64](w), s, bv, outer, m, k.eps, mean, inv)
	}
	out := make([]*tensor.Tensor, 3)
	if out[0], err = tensor.Convert(y, x.DType()); err != nil {
		return nil, err
	}
	ss := layerNormStatShape(x.Shape(), a)
	if out[1], err = normFromF64(k.stash, ss, mean); err != nil {
		return nil, err
	}
	if out[2], err = normFromF64(k.stash, ss, inv); err != nil {
		return nil, err
	}
	return out, nil
}

func layerNormForward[T tensor.Float](y, x, s, b []T, outer, m int, eps float64, mean, inv []float64) {
	parallel.For(outer, max(1, normGrain/max(m, 1)), func(lo, hi int) {
		for o := lo; o < hi; o++ {
			row, dst := x[o*m:(o+1)*m], y[o*m:(o+1)*m]
			mu, v := normMeanVarContig(row)
			iv := 1 / math.Sqrt(v+eps)
			mean[o], inv[o] = mu, iv
			tm, ti := T(mu), T(iv)
			if b == nil {
				for i, xv := range row {
					dst[i] = (xv - tm) * ti * s[i]
				}
				continue
			}
			for i, xv := range row {
				dst[i] = (xv-tm)*ti*s[i] + b[i]
			}
		}
	})
}

// InferShapes: Y like X; Mean and InvStdDev keep X's leading dims.
func (k *layerNormKernel) InferShapes(in []runtime.Fact) ([]runtime.Fact, error) {
	x := in[0]
	y := runtime.Fact{DType: x.DType, Shape: x.Shape, HasShape: x.HasShape}
	st := runtime.Fact{DType: k.stash}
	if x.HasShape {
		a, err := normAxis(k.axis, len(x.Shape))
		if err != nil {
			return nil, err
		}
		st.Shape, st.HasShape = layerNormStatShape(x.Shape, a), true
	}
	return []runtime.Fact{y, st, st}, nil
}

// Backward: with x̂ = (x-μ)·σ⁻¹ and ĝ = g⊙scale along a row of m elements,
// dx = σ⁻¹(ĝ - mean(ĝ) - x̂·mean(ĝ⊙x̂)) (+ the terms from the Mean and
// InvStdDev outputs when they reach the loss), dScale = Σ_rows g⊙x̂,
// dB = Σ_rows g, both reduced to the parameters' own shapes.
func (k *layerNormKernel) Backward(rc *runtime.RunContext, f *runtime.Forward, g []*tensor.Tensor) ([]*tensor.Tensor, error) {
	x, scale, bias := f.Inputs[0], f.Inputs[1], normOpt(f.Inputs, 2)
	a, outer, m, s, _, err := k.prep(x, scale, bias)
	if err != nil {
		return nil, err
	}
	xs, err := tensor.Float64s(x)
	if err != nil {
		return nil, err
	}
	gs, err := normGradF64(g, 3)
	if err != nil {
		return nil, err
	}
	gy, gMean, gInv := gs[0], gs[1], gs[2]
	dx := make([]float64, len(xs))
	mean := make([]float64, outer)
	inv := make([]float64, outer)
	parallel.For(outer, max(1, normGrain/max(m, 1)), func(lo, hi int) {
		for o := lo; o < hi; o++ {
			row := xs[o*m : (o+1)*m]
			mu, v := normMeanVarContig(row)
			iv := 1 / math.Sqrt(v+k.eps)
			mean[o], inv[o] = mu, iv
			d := dx[o*m : (o+1)*m]
			sg, sgx := 0.0, 0.0
			if gy != nil {
				gr := gy[o*m : (o+1)*m]
				for i, xv := range row {
					gh := gr[i] * s[i]
					sg += gh
					sgx += gh * (xv - mu) * iv
				}
				sg /= float64(m)
				sgx /= float64(m)
				for i, xv := range row {
					xh := (xv - mu) * iv
					d[i] = iv * (gr[i]*s[i] - sg - xh*sgx)
				}
			}
			if gMean != nil {
				c := gMean[o] / float64(m)
				for i := range d {
					d[i] += c
				}
			}
			if gInv != nil {
				c := -gInv[o] * iv * iv * iv / float64(m)
				for i, xv := range row {
					d[i] += c * (xv - mu)
				}
			}
		}
	})
	out := make([]*tensor.Tensor, len(f.Inputs))
	if f.NeedGrad[0] {
		if out[0], err = normFromF64(x.DType(), x.Shape(), dx); err != nil {
			return nil, err
		}
	}
	if gy == nil {
		return out, nil
	}
	norm := x.Shape()[a:]
	needS, needB := f.NeedGrad[1], len(f.NeedGrad) > 2 && f.NeedGrad[2] && bias != nil
	if !needS && !needB {
		return out, nil
	}
	ds := make([]float64, m)
	db := make([]float64, m)
	parallel.For(m, max(1, normGrain/max(outer, 1)), func(lo, hi int) {
		for o := 0; o < outer; o++ {
			gr, row := gy[o*m:(o+1)*m], xs[o*m:(o+1)*m]
			mu, iv := mean[o], inv[o]
			for i := lo; i < hi; i++ {
				ds[i] += gr[i] * (row[i] - mu) * iv
				db[i] += gr[i]
			}
		}
	})
	if needS {
		if out[1], err = normReduceParam(ds, norm, scale); err != nil {
			return nil, err
		}
	}
	if needB {
		if out[2], err = normReduceParam(db, norm, bias); err != nil {
			return nil, err
		}
	}
	return out, nil
}

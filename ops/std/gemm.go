package std

import (
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// Gemm: Y = alpha·op(A)·op(B) + beta·C with op(X) = X or Xᵀ (transA,
// transB), A and B 2-D, C broadcast to the M×N result. Opset 1 and 6 took a
// "broadcast" flag (C is broadcast here either way, as from opset 7); opset
// 11 made C optional; 9 and 13 added dtypes.

func init() {
	register(
		&runtime.Op{Type: "Gemm", Since: 1, Inputs: [2]int{3, 3}, Outputs: [2]int{1, 1}, Build: buildGemm},
		&runtime.Op{Type: "Gemm", Since: 11, Inputs: [2]int{2, 3}, Outputs: [2]int{1, 1}, Build: buildGemm},
	)
}

type gemmKernel struct {
	alpha, beta    float32
	transA, transB bool
}

func buildGemm(b *runtime.BuildContext) (runtime.Kernel, error) {
	k := &gemmKernel{
		alpha:  b.Float("alpha", 1),
		beta:   b.Float("beta", 1),
		transA: b.Int("transA", 0) != 0,
		transB: b.Int("transB", 0) != 0,
	}
	return k, b.Err()
}

// dims validates the operands and returns M, N, K.
func (k *gemmKernel) dims(a, b, c []int) (m, n, kk int, err error) {
	if len(a) != 2 || len(b) != 2 {
		return 0, 0, 0, errShape("Gemm needs 2-D A and B, got %v and %v", a, b)
	}
	m, kk = a[0], a[1]
	if k.transA {
		m, kk = kk, m
	}
	k2, n := b[0], b[1]
	if k.transB {
		k2, n = n, k2
	}
	if kk != k2 {
		return 0, 0, 0, errShape("Gemm of op(A) %dx%d and op(B) %dx%d", m, kk, k2, n)
	}
	if c != nil {
		if len(c) > 2 {
			return 0, 0, 0, errShape("Gemm bias C %v does not broadcast to (%d, %d)", c, m, n)
		}
		out := []int{m, n}
		for i, d := range c {
			if o := out[2-len(c)+i]; d != 1 && d != o {
				return 0, 0, 0, errShape("Gemm bias C %v does not broadcast to (%d, %d)", c, m, n)
			}
		}
	}
	return m, n, kk, nil
}

func (k *gemmKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	var c *tensor.Tensor
	if len(in) > 2 {
		c = in[2]
	}
	if err := sameDTypes(in); err != nil {
		return nil, err
	}
	dt := in[0].DType()
	w, err := nnWiden(in[0], in[1], c)
	if err != nil {
		return nil, err
	}
	a, b, c := w[0], w[1], w[2]
	var cs []int
	if c != nil {
		cs = c.Shape()
	}
	m, n, kk, err := k.dims(a.Shape(), b.Shape(), cs)
	if err != nil {
		return nil, err
	}
	out, err := rc.Alloc(a.DType(), m, n)
	if err != nil {
		return nil, err
	}
	switch a.DType() {
	case tensor.Float32:
		err = gemmRun(k, m, n, kk, a, b, c, out, float32(k.alpha), float32(k.beta), nnGemm[float32])
	case tensor.Float64:
		err = gemmRun(k, m, n, kk, a, b, c, out, float64(k.alpha), float64(k.beta), nnGemm[float64])
	case tensor.Int32:
		err = gemmRun(k, m, n, kk, a, b, c, out, int32(k.alpha), int32(k.beta), nnNaiveGemm[int32])
	case tensor.Int64:
		err = gemmRun(k, m, n, kk, a, b, c, out, int64(k.alpha), int64(k.beta), nnNaiveGemm[int64])
	case tensor.Uint32:
		err = gemmRun(k, m, n, kk, a, b, c, out, uint32(k.alpha), uint32(k.beta), nnNaiveGemm[uint32])
	case tensor.Uint64:
		err = gemmRun(k, m, n, kk, a, b, c, out, uint64(k.alpha), uint64(k.beta), nnNaiveGemm[uint64])
	default:
		return nil, errDType("Gemm does not support %v", dt)
	}
	return nnNarrow(dt, []*tensor.Tensor{out}, err)
}

// gemmRun fills out with beta·C broadcast, then accumulates the product.
func gemmRun[T tensor.Number](k *gemmKernel, m, n, kk int, a, b, c, out *tensor.Tensor, alpha, beta T,
	mm func(transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int)) error {
	od := tensor.Data[T](out)
	var accBeta T
	if c != nil && beta != 0 {
		if err := tensor.Map2(od, out.Shape(), tensor.Data[T](c), c.Shape(), od, out.Shape(), func(x, _ T) T { return beta * x }); err != nil {
			return err
		}
		accBeta = 1
	}
	if m == 0 || n == 0 {
		return nil
	}
	lda, ldb := kk, n
	if k.transA {
		lda = m
	}
	if k.transB {
		ldb = kk
	}
	mm(k.transA, k.transB, m, n, kk, alpha, tensor.Data[T](a), max(lda, 1), tensor.Data[T](b), max(ldb, 1), accBeta, od, n)
	return nil
}

// InferShapes: (M, N) from the shapes of A and B.
func (k *gemmKernel) InferShapes(in []runtime.Fact) ([]runtime.Fact, error) {
	out := runtime.Fact{DType: in[0].DType}
	a, b := in[0], in[1]
	if a.HasShape && b.HasShape {
		if len(a.Shape) != 2 || len(b.Shape) != 2 {
			return nil, errShape("Gemm needs 2-D A and B, got %v and %v", a.Shape, b.Shape)
		}
		m, n := a.Shape[0], b.Shape[1]
		if k.transA {
			m = a.Shape[1]
		}
		if k.transB {
			n = b.Shape[0]
		}
		out.Shape, out.HasShape = []int{m, n}, true
	}
	return []runtime.Fact{out}, nil
}

// Backward: with A' = op(A), B' = op(B): dA' = alpha·dY·B'ᵀ, dB' =
// alpha·A'ᵀ·dY (transposed back where the operand was), dC = beta·dY summed
// over C's broadcast axes.
func (k *gemmKernel) Backward(rc *runtime.RunContext, f *runtime.Forward, g []*tensor.Tensor) ([]*tensor.Tensor, error) {
	out := make([]*tensor.Tensor, len(f.Inputs))
	gy := g[0]
	if gy == nil {
		return out, nil
	}
	if err := nnFloatGrads(append([]*tensor.Tensor{gy}, f.Inputs...)...); err != nil {
		return nil, err
	}
	if gy.DType() == tensor.Float32 {
		return gemmGrad[float32](k, f, gy, out)
	}
	return gemmGrad[float64](k, f, gy, out)
}

func gemmGrad[T tensor.Float](k *gemmKernel, f *runtime.Forward, gy *tensor.Tensor, out []*tensor.Tensor) ([]*tensor.Tensor, error) {
	a, b := f.Inputs[0], f.Inputs[1]
	var cs []int
	if len(f.Inputs) > 2 && f.Inputs[2] != nil {
		cs = f.Inputs[2].Shape()
	}
	m, n, kk, err := k.dims(a.Shape(), b.Shape(), cs)
	if err != nil {
		return nil, err
	}
	alpha := T(k.alpha)
	ad, bd, gd := tensor.Data[T](a), tensor.Data[T](b), tensor.Data[T](gy)
	lda, ldb := max(a.Shape()[1], 1), max(b.Shape()[1], 1)
	ldg := max(n, 1)
	if f.NeedGrad[0] {
		ga := tensor.Make[T](a.Shape()...)
		gad := tensor.Data[T](ga)
		if !k.transA {
			// dA (M×K) = alpha·dY·B'ᵀ; B'ᵀ is B when transB.
			nnGemm(false, !k.transB, m, kk, n, alpha, gd, ldg, bd, ldb, 0, gad, max(kk, 1))
		} else {
			// dA (K×M) = alpha·B'·dYᵀ; B' is Bᵀ when transB.
			nnGemm(k.transB, true, kk, m, n, alpha, bd, ldb, gd, ldg, 0, gad, max(m, 1))
		}
		out[0] = ga
	}
	if f.NeedGrad[1] {
		gb := tensor.Make[T](b.Shape()...)
		gbd := tensor.Data[T](gb)
		if !k.transB {
			// dB (K×N) = alpha·A'ᵀ·dY; A'ᵀ is A when transA.
			nnGemm(!k.transA, false, kk, n, m, alpha, ad, lda, gd, ldg, 0, gbd, max(n, 1))
		} else {
			// dB (N×K) = alpha·dYᵀ·A'; A' is Aᵀ when transA.
			nnGemm(true, k.transA, n, kk, m, alpha, gd, ldg, ad, lda, 0, gbd, max(kk, 1))
		}
		out[1] = gb
	}
	if len(f.Inputs) > 2 && f.Inputs[2] != nil && f.NeedGrad[2] {
		gc, err := tensor.SumTo(gy, cs)
		if err != nil {
			return nil, err
		}
		gc = gc.Clone()
		d := tensor.Data[T](gc)
		for i := range d {
			d[i] *= T(k.beta)
		}
		out[2] = gc
	}
	return out, nil
}

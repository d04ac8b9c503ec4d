package std

import (
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// MatMul: matrix product with NumPy semantics — a 1-D first operand is
// promoted to a row, a 1-D second operand to a column (the added dim is
// removed from the result), and leading batch dims broadcast (opset 1;
// opset 9 and 13 only added dtypes).

func init() {
	register(&runtime.Op{Type: "MatMul", Since: 1, Inputs: [2]int{2, 2}, Outputs: [2]int{1, 1}, Build: fixed(matMulKernel{})})
}

type matMulKernel struct{}

// matMulDims validates the operand shapes and returns the product's
// layout and the result shape.
func matMulDims(as, bs []int) (*bmmShape, []int, error) {
	if len(as) == 0 || len(bs) == 0 {
		return nil, nil, errShape("MatMul operands must have rank >= 1, got %v and %v", as, bs)
	}
	pa, pb := as, bs
	if len(as) == 1 {
		pa = []int{1, as[0]}
	}
	if len(bs) == 1 {
		pb = []int{bs[0], 1}
	}
	m, k := pa[len(pa)-2], pa[len(pa)-1]
	k2, n := pb[len(pb)-2], pb[len(pb)-1]
	if k != k2 {
		return nil, nil, errShape("MatMul of %v and %v: inner dims %d and %d differ", as, bs, k, k2)
	}
	s, err := newBMM(m, n, k, false, false, pa[:len(pa)-2], pb[:len(pb)-2])
	if err != nil {
		return nil, nil, err
	}
	out := append([]int(nil), s.outBatch...)
	if len(as) > 1 {
		out = append(out, m)
	}
	if len(bs) > 1 {
		out = append(out, n)
	}
	return s, out, nil
}

func (matMulKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	a, b := in[0], in[1]
	if a.DType() != b.DType() {
		return nil, errDType("MatMul of %v and %v", a.DType(), b.DType())
	}
	dt := a.DType()
	w, err := nnWiden(a, b)
	if err != nil {
		return nil, err
	}
	a, b = w[0], w[1]
	s, shape, err := matMulDims(a.Shape(), b.Shape())
	if err != nil {
		return nil, err
	}
	out, err := rc.Alloc(a.DType(), shape...)
	if err != nil {
		return nil, err
	}
	switch a.DType() {
	case tensor.Float32:
		bmmRun(s, tensor.Data[float32](a), tensor.Data[float32](b), tensor.Data[float32](out))
	case tensor.Float64:
		bmmRun(s, tensor.Data[float64](a), tensor.Data[float64](b), tensor.Data[float64](out))
	case tensor.Int32:
		bmmRun(s, tensor.Data[int32](a), tensor.Data[int32](b), tensor.Data[int32](out))
	case tensor.Int64:
		bmmRun(s, tensor.Data[int64](a), tensor.Data[int64](b), tensor.Data[int64](out))
	case tensor.Uint32:
		bmmRun(s, tensor.Data[uint32](a), tensor.Data[uint32](b), tensor.Data[uint32](out))
	case tensor.Uint64:
		bmmRun(s, tensor.Data[uint64](a), tensor.Data[uint64](b), tensor.Data[uint64](out))
	default:
		return nil, errDType("MatMul does not support %v", dt)
	}
	return nnNarrow(dt, []*tensor.Tensor{out}, nil)
}

// InferShapes computes the result shape when both ranks are known.
func (matMulKernel) InferShapes(in []runtime.Fact) ([]runtime.Fact, error) {
	out := runtime.Fact{DType: in[0].DType}
	a, b := in[0], in[1]
	if !a.HasShape || !b.HasShape {
		return []runtime.Fact{out}, nil
	}
	if len(a.Shape) == 0 || len(b.Shape) == 0 {
		return nil, errShape("MatMul operands must have rank >= 1")
	}
	pa, pb := a.Shape, b.Shape
	if len(pa) == 1 {
		pa = []int{1, pa[0]}
	}
	if len(pb) == 1 {
		pb = []int{pb[0], 1}
	}
	k, k2 := pa[len(pa)-1], pb[len(pb)-2]
	if k >= 0 && k2 >= 0 && k != k2 {
		return nil, errShape("MatMul of %v and %v: inner dims %d and %d differ", a.Shape, b.Shape, k, k2)
	}
	bf, err := broadcastFacts([]runtime.Fact{
		{HasShape: true, Shape: pa[:len(pa)-2]}, {HasShape: true, Shape: pb[:len(pb)-2]}}, in[0].DType)
	if err != nil {
		return nil, err
	}
	shape := bf[0].Shape
	if len(a.Shape) > 1 {
		shape = append(shape, pa[len(pa)-2])
	}
	if len(b.Shape) > 1 {
		shape = append(shape, pb[len(pb)-1])
	}
	out.Shape, out.HasShape = shape, true
	return []runtime.Fact{out}, nil
}

// Backward: with the 1-D operands promoted, dA = dY·Bᵀ and dB = Aᵀ·dY per
// batch, summed over the batch dims each operand was broadcast along.
func (matMulKernel) Backward(rc *runtime.RunContext, f *runtime.Forward, g []*tensor.Tensor) ([]*tensor.Tensor, error) {
	a, b, gy := f.Inputs[0], f.Inputs[1], g[0]
	out := make([]*tensor.Tensor, 2)
	if gy == nil {
		return out, nil
	}
	if err := nnFloatGrads(a, b, gy); err != nil {
		return nil, err
	}
	s, _, err := matMulDims(a.Shape(), b.Shape())
	if err != nil {
		return nil, err
	}
	switch a.DType() {
	case tensor.Float32:
		return matMulGrad[float32](rc, f, s, a, b, gy)
	default:
		return matMulGrad[float64](rc, f, s, a, b, gy)
	}
}

func matMulGrad[T tensor.Float](rc *runtime.RunContext, f *runtime.Forward, s *bmmShape, a, b, gy *tensor.Tensor) ([]*tensor.Tensor, error) {
	out := make([]*tensor.Tensor, 2)
	m, n, k := s.m, s.n, s.k
	gd := tensor.Data[T](gy)
	ob := s.outBatch
	nb := s.batches()
	// The promoted shapes of A and B.
	pa := append(append([]int(nil), s.aBatch...), m, k)
	pb := append(append([]int(nil), s.bBatch...), k, n)
	if f.NeedGrad[0] {
		var ga *tensor.Tensor
		if nnProd(s.aBatch) == 1 && nnProd(s.bBatch) == 1 {
			ga = tensor.Make[T](m, k)
			nnGemm(false, true, m, k, n, 1, gd, n, tensor.Data[T](b), n, 0, tensor.Data[T](ga), k)
		} else {
			// dA[i] = dY[i]·B[ib]ᵀ over the output batch, then summed.
			full := tensor.Make[T](append(append([]int(nil), ob...), m, k)...)
			gs := &bmmShape{m: m, n: k, k: n, transB: true, aBatch: ob, bBatch: s.bBatch, outBatch: ob}
			bmmRun(gs, gd, tensor.Data[T](b), tensor.Data[T](full))
			var err error
			if ga, err = tensor.SumTo(full, pa); err != nil {
				return nil, err
			}
		}
		r, err := ga.Reshape(a.Shape()...)
		if err != nil {
			return nil, err
		}
		out[0] = r
	}
	if f.NeedGrad[1] {
		var gb *tensor.Tensor
		switch {
		case nnProd(s.bBatch) == 1 && nnProd(s.aBatch) == nb:
			// B shared by every product: dB = Σ A[i]ᵀ·dY[i] is one product
			// of the stacked matrices.
			gb = tensor.Make[T](k, n)
			nnGemm(true, false, k, n, nb*m, 1, tensor.Data[T](a), k, gd, n, 0, tensor.Data[T](gb), n)
		default:
			full := tensor.Make[T](append(append([]int(nil), ob...), k, n)...)
			gs := &bmmShape{m: k, n: n, k: m, transA: true, aBatch: s.aBatch, bBatch: ob, outBatch: ob}
			bmmRun(gs, tensor.Data[T](a), gd, tensor.Data[T](full))
			var err error
			if gb, err = tensor.SumTo(full, pb); err != nil {
				return nil, err
			}
		}
		r, err := gb.Reshape(b.Shape()...)
		if err != nil {
			return nil, err
		}
		out[1] = r
	}
	return out, nil
}

package std

import (
	"github.com/optnet-go/optnet/internal/parallel"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// Batched matrix products with NumPy batch broadcasting, shared by MatMul,
// its backward rule, MatMulInteger, QLinearMatMul and Einsum.

// bmmShape is a batched product C[b] = op(A[ia(b)])·op(B[ib(b)]): A holds
// matrices of m×k (k×m when transA), B of k×n (n×k when transB), C of
// m×n, one per element of the broadcast batch shape.
type bmmShape struct {
	m, n, k        int
	transA, transB bool
	aBatch, bBatch []int
	outBatch       []int
}

// newBMM broadcasts the batch shapes.
func newBMM(m, n, k int, transA, transB bool, aBatch, bBatch []int) (*bmmShape, error) {
	out, err := tensor.BroadcastShape(aBatch, bBatch)
	if err != nil {
		return nil, err
	}
	return &bmmShape{m: m, n: n, k: k, transA: transA, transB: transB, aBatch: aBatch, bBatch: bBatch, outBatch: out}, nil
}

// batches returns the number of products.
func (s *bmmShape) batches() int { return nnProd(s.outBatch) }

// operandIndex returns, for every product, the index of the matrix of an
// operand with batch shape in, and its uniform stride in matrices (1: one
// matrix per product, 0: one matrix shared by all) or -1 when the
// broadcast is irregular.
func (s *bmmShape) operandIndex(in []int) ([]int, int) {
	nb := s.batches()
	np := nnProd(in)
	if np == 1 {
		return nil, 0
	}
	if np == nb {
		return nil, 1
	}
	idx := make([]int, nb)
	rank := len(s.outBatch)
	off := rank - len(in)
	strides := make([]int, rank)
	acc := 1
	for i := len(in) - 1; i >= 0; i-- {
		if in[i] != 1 {
			strides[off+i] = acc
		}
		acc *= in[i]
	}
	pos := make([]int, rank)
	cur := 0
	for b := 0; b < nb; b++ {
		idx[b] = cur
		for d := rank - 1; d >= 0; d-- {
			pos[d]++
			cur += strides[d]
			if pos[d] < s.outBatch[d] {
				break
			}
			cur -= strides[d] * s.outBatch[d]
			pos[d] = 0
		}
	}
	return idx, -1
}

// run computes every product into c (overwritten), with the fast float
// kernels or the integer loops.
func bmmRun[T tensor.Number](s *bmmShape, a, b, c []T) {
	m, n, k := s.m, s.n, s.k
	lda, ldb := k, n
	if s.transA {
		lda = m
	}
	if s.transB {
		ldb = k
	}
	sizeA, sizeB, sizeC := m*k, k*n, m*n
	nb := s.batches()
	if nb == 0 || sizeC == 0 {
		return
	}
	if k == 0 {
		clear(c)
		return
	}
	ia, sa := s.operandIndex(s.aBatch)
	ib, sb := s.operandIndex(s.bBatch)
	isFloat := false
	switch any(a).(type) {
	case []float32, []float64:
		isFloat = true
	}
	one := T(1)
	if sa >= 0 && sb >= 0 {
		if isFloat {
			// A batch of A matrices against one B is one tall product.
			if sa == 1 && sb == 0 && !s.transA {
				nnFloatGemm(false, s.transB, nb*m, n, k, a, lda, b, ldb, c, n)
				return
			}
			nnFloatGemmStrided(s.transA, s.transB, m, n, k, a, lda, sa*sizeA, b, ldb, sb*sizeB, c, n, sizeC, nb)
			return
		}
		if nb == 1 {
			nnNaiveGemm(s.transA, s.transB, m, n, k, one, a, lda, b, ldb, 0, c, n)
			return
		}
		parallel.For(nb, 1, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				nnNaiveGemmSerial(s.transA, s.transB, m, n, k, a[i*sa*sizeA:], lda, b[i*sb*sizeB:], ldb, c[i*sizeC:], n)
			}
		})
		return
	}
	at := func(i int) int {
		if ia == nil {
			return i * sa
		}
		return ia[i]
	}
	bt := func(i int) int {
		if ib == nil {
			return i * sb
		}
		return ib[i]
	}
	parallel.For(nb, 1, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			ai, bi := at(i)*sizeA, bt(i)*sizeB
			if isFloat {
				nnFloatGemm(s.transA, s.transB, m, n, k, a[ai:ai+sizeA], lda, b[bi:bi+sizeB], ldb, c[i*sizeC:(i+1)*sizeC], n)
			} else {
				nnNaiveGemmSerial(s.transA, s.transB, m, n, k, a[ai:], lda, b[bi:], ldb, c[i*sizeC:], n)
			}
		}
	})
}

// nnFloatGemm is C = op(A)·op(B) for float slices behind a Number type
// parameter (the caller has checked the type).
func nnFloatGemm[T tensor.Number](transA, transB bool, m, n, k int, a []T, lda int, b []T, ldb int, c []T, ldc int) {
	switch av := any(a).(type) {
	case []float32:
		nnGemm(transA, transB, m, n, k, 1, av, lda, any(b).([]float32), ldb, 0, any(c).([]float32), ldc)
	case []float64:
		nnGemm(transA, transB, m, n, k, 1, av, lda, any(b).([]float64), ldb, 0, any(c).([]float64), ldc)
	}
}

func nnFloatGemmStrided[T tensor.Number](transA, transB bool, m, n, k int, a []T, lda, sa int, b []T, ldb, sb int, c []T, ldc, sc, batch int) {
	switch av := any(a).(type) {
	case []float32:
		nnGemmStrided(transA, transB, m, n, k, 1, av, lda, sa, any(b).([]float32), ldb, sb, 0, any(c).([]float32), ldc, sc, batch)
	case []float64:
		nnGemmStrided(transA, transB, m, n, k, 1, av, lda, sa, any(b).([]float64), ldb, sb, 0, any(c).([]float64), ldc, sc, batch)
	}
}

// nnNaiveGemmSerial is C = op(A)·op(B) (C overwritten) on one goroutine.
func nnNaiveGemmSerial[T tensor.Number](transA, transB bool, m, n, k int, a []T, lda int, b []T, ldb int, c []T, ldc int) {
	for i := 0; i < m; i++ {
		row := c[i*ldc : i*ldc+n]
		clear(row)
		for p := 0; p < k; p++ {
			var av T
			if transA {
				av = a[p*lda+i]
			} else {
				av = a[i*lda+p]
			}
			if av == 0 {
				continue
			}
			if transB {
				for j := range row {
					row[j] += av * b[j*ldb+p]
				}
			} else {
				br := b[p*ldb : p*ldb+n]
				for j, bv := range br {
					row[j] += av * bv
				}
			}
		}
	}
}

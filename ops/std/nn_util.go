package std

import (
	"sync"

	"github.com/optnet-go/optnet/internal/gemm"
	"github.com/optnet-go/optnet/internal/parallel"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// Helpers of the dense compute ops (MatMul, Gemm, Conv, ConvTranspose, the
// pools, Einsum, the quantized ops): typed GEMM dispatch, pooled scratch
// buffers, 16-bit float handling.

// nnGemm computes C = alpha·op(A)·op(B) + beta·C (row-major, beta == 0
// overwrites C) with the fast float32/float64 kernels.
func nnGemm[T tensor.Float](transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	switch av := any(a).(type) {
	case []float32:
		gemm.Sgemm(transA, transB, m, n, k, float32(alpha), av, lda, any(b).([]float32), ldb, float32(beta), any(c).([]float32), ldc)
	case []float64:
		gemm.Dgemm(transA, transB, m, n, k, float64(alpha), av, lda, any(b).([]float64), ldb, float64(beta), any(c).([]float64), ldc)
	}
}

// nnGemmStrided is the batched form of nnGemm: product i reads A at
// a[i*sa:], B at b[i*sb:] and writes C at c[i*sc:] (a stride of 0 reuses
// the operand).
func nnGemmStrided[T tensor.Float](transA, transB bool, m, n, k int, alpha T, a []T, lda, sa int, b []T, ldb, sb int, beta T, c []T, ldc, sc int, batch int) {
	if m == 0 || n == 0 || batch == 0 {
		return
	}
	switch av := any(a).(type) {
	case []float32:
		gemm.SgemmStrided(transA, transB, m, n, k, float32(alpha), av, lda, sa, any(b).([]float32), ldb, sb, float32(beta), any(c).([]float32), ldc, sc, batch)
	case []float64:
		gemm.DgemmStrided(transA, transB, m, n, k, float64(alpha), av, lda, sa, any(b).([]float64), ldb, sb, float64(beta), any(c).([]float64), ldc, sc, batch)
	}
}

// nnNaiveGemm is C = alpha·op(A)·op(B) + beta·C for the integer dtypes that
// MatMul and Gemm accept (wrapping arithmetic, like NumPy). Rows of C are
// split across cores; the inner loop runs along a row of B.
func nnNaiveGemm[T tensor.Number](transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	parallel.For(m, max(1, 4096/max(1, n*k)), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			row := c[i*ldc : i*ldc+n]
			for j := range row {
				row[j] *= beta
			}
			for p := 0; p < k; p++ {
				var av T
				if transA {
					av = a[p*lda+i]
				} else {
					av = a[i*lda+p]
				}
				av *= alpha
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
	})
}

// Scratch buffers (im2col columns, packed operands) are pooled so that
// steady-state runs do not allocate them again.
var (
	scratch32 sync.Pool // *[]float32
	scratch64 sync.Pool // *[]float64
	scratchI  sync.Pool // *[]int32
)

// nnGetScratch returns a pooled slice of at least n elements (contents
// undefined). Return it with nnPutScratch.
func nnGetScratch[T float32 | float64 | int32](n int) *[]T {
	var p *sync.Pool
	var z T
	switch any(z).(type) {
	case float32:
		p = &scratch32
	case float64:
		p = &scratch64
	default:
		p = &scratchI
	}
	s, _ := p.Get().(*[]T)
	if s == nil {
		s = new([]T)
	}
	if cap(*s) < n {
		*s = make([]T, n)
	}
	*s = (*s)[:n]
	return s
}

// nnPutScratch returns a buffer to its pool.
func nnPutScratch[T float32 | float64 | int32](s *[]T) {
	var z T
	switch any(z).(type) {
	case float32:
		scratch32.Put(s)
	case float64:
		scratch64.Put(s)
	default:
		scratchI.Put(s)
	}
}

// nnIs16 reports whether dt is a 16-bit float computed through float32.
func nnIs16(dt tensor.DType) bool { return dt == tensor.Float16 || dt == tensor.BFloat16 }

// nnWiden converts 16-bit float tensors (nil allowed) to float32; others are
// returned as they are.
func nnWiden(ts ...*tensor.Tensor) ([]*tensor.Tensor, error) {
	out := make([]*tensor.Tensor, len(ts))
	for i, t := range ts {
		if t == nil || !nnIs16(t.DType()) {
			out[i] = t
			continue
		}
		c, err := tensor.Convert(t, tensor.Float32)
		if err != nil {
			return nil, err
		}
		out[i] = c
	}
	return out, nil
}

// nnNarrow converts float32 results back to dt when dt is a 16-bit float.
func nnNarrow(dt tensor.DType, ts []*tensor.Tensor, err error) ([]*tensor.Tensor, error) {
	if err != nil || !nnIs16(dt) {
		return ts, err
	}
	for i, t := range ts {
		if t == nil || t.DType() != tensor.Float32 {
			continue
		}
		c, err := tensor.Convert(t, dt)
		if err != nil {
			return nil, err
		}
		ts[i] = c
	}
	return ts, nil
}

// nnProd returns the product of dims.
func nnProd(dims []int) int {
	n := 1
	for _, d := range dims {
		n *= d
	}
	return n
}

// nnInts converts attribute values to ints.
func nnInts(v []int64) []int {
	if v == nil {
		return nil
	}
	out := make([]int, len(v))
	for i, x := range v {
		out[i] = int(x)
	}
	return out
}

// nnFloatGrads checks that a backward rule gets float32/float64 values.
func nnFloatGrads(ts ...*tensor.Tensor) error {
	for _, t := range ts {
		if t != nil && t.DType() != tensor.Float32 && t.DType() != tensor.Float64 {
			return errDType("gradient of %v values is not supported", t.DType())
		}
	}
	return nil
}

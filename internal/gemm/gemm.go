// Package gemm implements dense general matrix multiplication (GEMM) for
// float32 and float64 on row-major matrices.
//
// The implementation follows the Goto/BLIS scheme: op(A) and op(B) are
// packed into contiguous, cache-sized panels, and a register-blocked
// micro-kernel computes small tiles of C. On amd64 the micro-kernels are
// written in assembly (AVX2+FMA, or AVX-512 where the CPU has it) and chosen
// at run time; elsewhere a portable Go micro-kernel is used. Large problems
// are split across GOMAXPROCS goroutines.
//
// All matrices are row-major with explicit leading dimensions: element (i, j)
// of a matrix x with leading dimension ldx is x[i*ldx+j]. The callers of this
// package are internal and validate shapes themselves, so invalid arguments
// (negative sizes, leading dimensions or slices that are too short) are
// programming errors and cause a panic with a message naming the argument.
package gemm

import (
	"fmt"
	"strings"
)

// Sgemm computes C = alpha·op(A)·op(B) + beta·C for float32 matrices, where
// op(X) is X, or Xᵀ when the matching trans flag is set. op(A) is m×k, op(B)
// is k×n and C is m×n. A is stored m×k (k×m when transA) with leading
// dimension lda; B is stored k×n (n×k when transB) with leading dimension
// ldb; C has leading dimension ldc.
//
// When beta is zero C is only written, never read, so NaNs or infinities in
// C do not propagate. When alpha is zero or k is zero, A and B are not read
// and C is only scaled by beta. Sgemm panics if a size is negative, a
// leading dimension is smaller than the row length it must span, or a slice
// is too short for the matrix it holds. C must not overlap A or B.
func Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	checkArgs("Sgemm", transA, transB, m, n, k, len(a), lda, len(b), ldb, len(c), ldc)
	kernel32.gemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, maxWorkers())
}

// Dgemm is the float64 version of Sgemm, with the same arguments and
// semantics.
func Dgemm(transA, transB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	checkArgs("Dgemm", transA, transB, m, n, k, len(a), lda, len(b), ldb, len(c), ldc)
	kernel64.gemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, maxWorkers())
}

// SgemmStrided computes batch independent products
//
//	C_i = alpha·op(A_i)·op(B_i) + beta·C_i,  i = 0 … batch-1,
//
// where A_i starts at a[i*strideA], B_i at b[i*strideB] and C_i at
// c[i*strideC]; each product has the shape and semantics of Sgemm. A stride
// of 0 for A or B reuses the same matrix for every product (broadcasting).
// The C_i must not overlap: when batch > 1, strideC must be at least
// (m-1)*ldc+n. Small products are spread across goroutines by batch, large
// ones are each split internally. It panics on invalid arguments like Sgemm.
func SgemmStrided(transA, transB bool, m, n, k int, alpha float32, a []float32, lda, strideA int, b []float32, ldb, strideB int, beta float32, c []float32, ldc, strideC int, batch int) {
	checkStrided("SgemmStrided", transA, transB, m, n, k, len(a), lda, strideA, len(b), ldb, strideB, len(c), ldc, strideC, batch)
	kernel32.strided(transA, transB, m, n, k, alpha, a, lda, strideA, b, ldb, strideB, beta, c, ldc, strideC, batch, maxWorkers())
}

// DgemmStrided is the float64 version of SgemmStrided.
func DgemmStrided(transA, transB bool, m, n, k int, alpha float64, a []float64, lda, strideA int, b []float64, ldb, strideB int, beta float64, c []float64, ldc, strideC int, batch int) {
	checkStrided("DgemmStrided", transA, transB, m, n, k, len(a), lda, strideA, len(b), ldb, strideB, len(c), ldc, strideC, batch)
	kernel64.strided(transA, transB, m, n, k, alpha, a, lda, strideA, b, ldb, strideB, beta, c, ldc, strideC, batch, maxWorkers())
}

// matSpan returns the number of elements a rows×cols row-major matrix with
// leading dimension ld occupies, or 0 if it is empty.
func matSpan(rows, cols, ld int) int {
	if rows == 0 || cols == 0 {
		return 0
	}
	return (rows-1)*ld + cols
}

func checkArgs(fn string, transA, transB bool, m, n, k, lenA, lda, lenB, ldb, lenC, ldc int) {
	if m < 0 || n < 0 || k < 0 {
		panic(fmt.Sprintf("gemm: %s: negative size m=%d n=%d k=%d", fn, m, n, k))
	}
	ar, ac := m, k
	if transA {
		ar, ac = k, m
	}
	br, bc := k, n
	if transB {
		br, bc = n, k
	}
	checkMat(fn, "A", ar, ac, lenA, lda)
	checkMat(fn, "B", br, bc, lenB, ldb)
	checkMat(fn, "C", m, n, lenC, ldc)
}

func checkMat(fn, name string, rows, cols, length, ld int) {
	if ld < max(1, cols) {
		panic(fmt.Sprintf("gemm: %s: ld%s=%d is less than max(1, %d)", fn, strings.ToLower(name), ld, cols))
	}
	if need := matSpan(rows, cols, ld); length < need {
		panic(fmt.Sprintf("gemm: %s: len(%s)=%d is too short for a %d×%d matrix with ld %d (need %d)", fn, strings.ToLower(name), length, rows, cols, ld, need))
	}
}

func checkStrided(fn string, transA, transB bool, m, n, k, lenA, lda, strideA, lenB, ldb, strideB, lenC, ldc, strideC, batch int) {
	if batch < 0 {
		panic(fmt.Sprintf("gemm: %s: negative batch %d", fn, batch))
	}
	if strideA < 0 || strideB < 0 || strideC < 0 {
		panic(fmt.Sprintf("gemm: %s: negative stride strideA=%d strideB=%d strideC=%d", fn, strideA, strideB, strideC))
	}
	if batch == 0 {
		if m < 0 || n < 0 || k < 0 {
			panic(fmt.Sprintf("gemm: %s: negative size m=%d n=%d k=%d", fn, m, n, k))
		}
		return
	}
	last := batch - 1
	// Check the last matrix of each batch; the others lie before it.
	checkArgs(fn, transA, transB, m, n, k,
		max(0, lenA-last*strideA), lda, max(0, lenB-last*strideB), ldb, max(0, lenC-last*strideC), ldc)
	if batch > 1 && strideC < matSpan(m, n, ldc) {
		panic(fmt.Sprintf("gemm: %s: strideC=%d makes the %d×%d C matrices overlap (need at least %d)", fn, strideC, m, n, matSpan(m, n, ldc)))
	}
}

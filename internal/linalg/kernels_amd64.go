package linalg

import "golang.org/x/sys/cpu"

// haveAccel reports whether this CPU can run the AVX2+FMA kernels.
var haveAccel = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// have512 reports whether the AVX-512 kernels may be used; use512 whether
// they are (tests and benchmarks toggle it).
var (
	have512 = haveAccel && cpu.X86.HasAVX512F
	use512  = have512
)

// The assembly kernels. Callers check bounds first: every pointer must
// address enough elements for the access pattern described.

// dotAsm returns Σ x[i]·y[i], i < n.
//
//go:noescape
func dotAsm(n int, x, y *float64) float64

// axpyAsm computes y[i] += alpha·x[i], i < n.
//
//go:noescape
func axpyAsm(n int, alpha float64, x, y *float64)

// dot4Asm sets out[r] = Σ_j a[r·lda + j]·x[j] for r < 4, j < n.
//
//go:noescape
func dot4Asm(n int, a *float64, lda int, x, out *float64)

// tn4x8Asm computes C[i][j] += alpha·Σ_{r<k} A[r][i]·B[r][j] for i < 4,
// j < 8 (row-major, leading dimensions lda, ldb, ldc).
//
//go:noescape
func tn4x8Asm(k int, a *float64, lda int, b *float64, ldb int, c *float64, ldc int, alpha float64)

// tn4x4Asm is tn4x8Asm for j < 4.
//
//go:noescape
func tn4x4Asm(k int, a *float64, lda int, b *float64, ldb int, c *float64, ldc int, alpha float64)

// axpy4Asm computes y[j] += Σ_{r<4} alpha[r]·a[r·lda + j] for j < n.
//
//go:noescape
func axpy4Asm(n int, alpha *float64, a *float64, lda int, y *float64)

// scalAsm computes x[i] *= alpha for i < n.
//
//go:noescape
func scalAsm(n int, alpha float64, x *float64)

// tn4xMaskAsm is tn4x4Asm restricted to the columns whose mask lane
// (4 int64s) has its sign bit set; it touches no other element of B or C.
//
//go:noescape
func tn4xMaskAsm(k int, a *float64, lda int, b *float64, ldb int, c *float64, ldc int, alpha float64, mask *int64)

// axpy2Asm computes dst[i] += a·x[i] + b·y[i] for i < n.
//
//go:noescape
func axpy2Asm(n int, a float64, x *float64, b float64, y, dst *float64)

// tn4x16Asm is the AVX-512 form of tn4x8Asm for j < 16.
//
//go:noescape
func tn4x16Asm(k int, a *float64, lda int, b *float64, ldb int, c *float64, ldc int, alpha float64)

// set512 turns the AVX-512 kernels on or off (when available) and returns
// a function restoring the previous setting. For tests and benchmarks.
func set512(on bool) func() {
	prev := use512
	use512 = on && have512
	return func() { use512 = prev }
}

// solveUT4Asm solves Uᵀx = b for the rows 0..4nb−1 of the n×n upper
// triangular U (leading dimension ldu), in place, and subtracts their
// contribution from x[4nb:n]. nb ≥ 1, 4nb ≤ n.
//
//go:noescape
func solveUT4Asm(nb, n int, u *float64, ldu int, x *float64)

// solveU4Asm solves Ux = b for the rows 4nb−1..0 of the n×n upper
// triangular U, in place, given the final x[4nb:n]. nb ≥ 1, 4nb ≤ n.
//
//go:noescape
func solveU4Asm(nb, n int, u *float64, ldu int, x *float64)

// tn4xN512Asm computes C[i][j] = Cin[i][j] + alpha·Σ_{r<k} A[r][i]·B[r][j]
// for i < 4, j < n (n ≥ 1) in one call (AVX-512; masked last block); cin
// may be c.
//
//go:noescape
func tn4xN512Asm(k int, a *float64, lda int, b *float64, ldb int, c *float64, ldc int, cin *float64, ldcin int, n int, alpha float64)

// potrfPanel4Asm factors a 4-row panel (rows of n ≥ 4 elements from the
// diagonal element a, leading dimension lda) of a left-looking Cholesky
// whose update from the rows above is done; false means a pivot is not
// positive and finite.
//
//go:noescape
func potrfPanel4Asm(n int, a *float64, lda int) bool

// outer2Asm sets dst[r·ld + i] = ca[r]·x[i] + cb[r]·y[i] for r < rows,
// i < n.
//
//go:noescape
func outer2Asm(rows, n int, ca, x, cb, y, dst *float64, ld int)

// bandLUAsm is BandLU (band.go) for the storage with ld elements per row
// and kl subdiagonals.
//
//go:noescape
func bandLUAsm(n, kl, ld int, b *float64, ipiv *int) bool

// scanAsm counts the nonzeros of x[:n] (NaN included) and reports (bad ≠ 0)
// whether any element is NaN or ±Inf.
//
//go:noescape
func scanAsm(n int, x *float64) (nnz int, bad int)

// maxStepAsm returns min(a, min{−x[i]/dx[i] : dx[i] < 0, i < n}).
//
//go:noescape
func maxStepAsm(n int, x, dx *float64, a float64) float64

// gemvBoth4Asm computes out[r] += A[r]·x and y += Σ_r lam[r]·A[r] for the
// 4·nb rows of A (n columns, leading dimension lda) in one pass.
//
//go:noescape
func gemvBoth4Asm(nb, n int, a *float64, lda int, x, out, lam, y *float64)

package linalg

import "golang.org/x/sys/cpu"

// haveAccel reports whether this CPU can run the AVX2+FMA kernels.
var haveAccel = cpu.X86.HasAVX2 && cpu.X86.HasFMA

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

// Package linalg holds the dense float64 kernels that the QP solver spends
// its time in: Cholesky factorisation, triangular solves, symmetric rank-k
// updates and small matrix products.
//
// All matrices are row-major with an explicit leading dimension (the
// distance between the starts of two consecutive rows). Symmetric matrices
// are referenced through their upper triangle only; routines that update a
// symmetric matrix may overwrite its strictly lower triangle, which callers
// must treat as scratch. A Cholesky factor is the upper triangular U with
// A = UᵀU, stored over A's upper triangle (the layout LAPACK calls "upper"
// in row-major order, i.e. the lower factor in column-major order).
//
// On amd64 machines with AVX2 and FMA the inner kernels are hand-written
// assembly (AVX-512 variants where available); everywhere else, and
// whenever [SetAccelerated] turns them off, portable Go kernels are used.
// Both compute the same quantities up to rounding.
package linalg

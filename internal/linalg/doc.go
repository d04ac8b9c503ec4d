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
// assembly, chosen at run time with golang.org/x/sys/cpu; the TN product
// kernel has an AVX-512 form, used where the CPU has AVX-512F (on the Zen 4
// development machine it is 0–7% faster than the AVX2 one, within noise at
// n = 100). Everywhere else, and whenever [SetAccelerated] turns them off,
// portable Go kernels are used. All compute the same quantities up to
// rounding.
package linalg

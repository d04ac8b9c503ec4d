package linalg

import "math"

// Band matrices hold the upper triangle of a symmetric matrix (or an upper
// triangular factor) with bandwidth w: row i keeps columns i..i+w at
// b[i·(w+1) + (j−i)]; entries past the last column are unused.

// BandPotrf computes the Cholesky factorisation A = UᵀU of the n×n
// symmetric band matrix A (bandwidth w) in place. It reports false when A
// is not numerically positive definite. Its cost is O(n·w²).
func BandPotrf(n, w int, b []float64) bool {
	if n <= 0 {
		return true
	}
	ld := w + 1
	_ = b[n*ld-1]
	for k := 0; k < n; k++ {
		row := b[k*ld : k*ld+ld]
		d := row[0]
		if !(d > 0) || math.IsInf(d, 1) {
			return false
		}
		d = math.Sqrt(d)
		row[0] = d
		last := min(w, n-1-k) // row k reaches column k+last
		inv := 1 / d
		for j := 1; j <= last; j++ {
			row[j] *= inv
		}
		for i := 1; i <= last; i++ {
			// Row k+i, columns k+i..k+last: A[k+i][k+j] −= U[k][k+i]·U[k][k+j].
			f := row[i]
			if f == 0 {
				continue
			}
			ri := b[(k+i)*ld : (k+i)*ld+ld]
			for j := i; j <= last; j++ {
				ri[j-i] -= f * row[j]
			}
		}
	}
	return true
}

// BandSolveUT solves Uᵀx = b in place for the band factor U from BandPotrf.
func BandSolveUT(n, w int, u, x []float64) {
	ld := w + 1
	_ = x[n-1]
	for k := 0; k < n; k++ {
		row := u[k*ld : k*ld+ld]
		xk := x[k] / row[0]
		x[k] = xk
		last := min(w, n-1-k)
		for j := 1; j <= last; j++ {
			x[k+j] -= row[j] * xk
		}
	}
}

// BandSolveU solves Ux = b in place for the band factor U from BandPotrf.
func BandSolveU(n, w int, u, x []float64) {
	ld := w + 1
	_ = x[n-1]
	for k := n - 1; k >= 0; k-- {
		row := u[k*ld : k*ld+ld]
		s := x[k]
		last := min(w, n-1-k)
		for j := 1; j <= last; j++ {
			s -= row[j] * x[k+j]
		}
		x[k] = s / row[0]
	}
}

// BandSolveUTMulti solves UᵀX = B in place for the band factor U and the
// n×r matrix B (leading dimension ldb). Its cost is O(n·w·r).
func BandSolveUTMulti(n, w, r int, u []float64, b []float64, ldb int) {
	if n <= 0 || r <= 0 {
		return
	}
	checkMat("BandSolveUTMulti B", n, r, b, ldb)
	ld := w + 1
	for k := 0; k < n; k++ {
		row := u[k*ld : k*ld+ld]
		bk := b[k*ldb : k*ldb+r]
		Scal(r, 1/row[0], bk)
		last := min(w, n-1-k)
		for j := 1; j <= last; j++ {
			if row[j] != 0 {
				Axpy(r, -row[j], bk, b[(k+j)*ldb:])
			}
		}
	}
}

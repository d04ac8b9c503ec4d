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

// General band matrices for BandLU hold an n×n matrix with kl
// subdiagonals and ku superdiagonals row by row, with room for the fill of
// row interchanges: row i keeps columns i−kl..i+ku+kl at
// b[i·ld + (j−i+kl)] with ld = BandLULd(kl, ku); entries outside the matrix
// or the band must be zero on entry.

// BandLULd returns the row length of the storage BandLU uses for kl
// subdiagonals and ku superdiagonals.
func BandLULd(kl, ku int) int { return 2*kl + ku + 1 }

// BandLU computes the LU factorisation with partial (row) pivoting of the
// n×n band matrix in b (kl subdiagonals, ku superdiagonals, storage as
// described above), in place: U (with up to kl+ku superdiagonals) and the
// multipliers of L, with the row interchanges in ipiv (n elements). It
// reports false when a pivot column is entirely zero or a pivot is not
// finite. Its cost is O(n·kl·(kl+ku)).
func BandLU(n, kl, ku int, b []float64, ipiv []int) bool {
	if n <= 0 {
		return true
	}
	ld := BandLULd(kl, ku)
	_, _ = b[n*ld-1], ipiv[n-1]
	if accel {
		return bandLUAsm(n, kl, ld, &b[0], &ipiv[0])
	}
	width := kl + ku + 1 // a row from its diagonal on, fill included
	for k := 0; k < n; k++ {
		last := min(n-1, k+kl) // rows that can hold a nonzero in column k
		// Element (i, k) is at i·ld + k − i + kl: one step of ld−1 per row.
		diag := k*ld + kl
		p, big := k, math.Abs(b[diag])
		for i, at := k+1, diag+ld-1; i <= last; i, at = i+1, at+ld-1 {
			if v := math.Abs(b[at]); v > big {
				p, big = i, v
			}
		}
		ipiv[k] = p
		if !(big > 0) || math.IsInf(big, 1) {
			return false
		}
		cols := min(width, n-k) // columns k..k+cols−1 of row k
		rk := b[diag : diag+cols]
		if p != k {
			at := diag + (p-k)*(ld-1)
			rp := b[at : at+cols]
			for j, v := range rp {
				rk[j], rp[j] = v, rk[j]
			}
		}
		inv := 1 / rk[0]
		rk1 := rk[1:]
		for i, at := k+1, diag+ld-1; i <= last; i, at = i+1, at+ld-1 {
			ri := b[at : at+cols]
			l := ri[0] * inv
			ri[0] = l
			if l == 0 {
				continue
			}
			ri = ri[1:]
			ri = ri[:len(rk1)]
			for j, v := range rk1 {
				ri[j] -= l * v
			}
		}
	}
	return true
}

// BandLUSolve solves Ax = b in place (x holds b on entry) with the
// factorisation from BandLU.
func BandLUSolve(n, kl, ku int, b []float64, ipiv []int, x []float64) {
	if n <= 0 {
		return
	}
	ld := BandLULd(kl, ku)
	_, _ = x[n-1], ipiv[n-1]
	// L y = P b, interchanges applied in the order they were made.
	for k := 0; k < n; k++ {
		if p := ipiv[k]; p != k {
			x[k], x[p] = x[p], x[k]
		}
		xk := x[k]
		if xk == 0 {
			continue
		}
		last := min(n-1, k+kl)
		xs := x[k+1 : last+1]
		for i, at := 0, k*ld+kl+ld-1; i < len(xs); i, at = i+1, at+ld-1 {
			xs[i] -= b[at] * xk
		}
	}
	// U x = y.
	width := kl + ku + 1
	for k := n - 1; k >= 0; k-- {
		cols := min(width, n-k)
		row := b[k*ld+kl : k*ld+kl+cols]
		// Far elements first: only the last term waits for x[k+1].
		xs := x[k+1 : k+cols]
		r := row[1:]
		r = r[:len(xs)]
		s := 0.0
		for j := len(xs) - 1; j >= 0; j-- {
			s += r[j] * xs[j]
		}
		x[k] = (x[k] - s) / row[0]
	}
}

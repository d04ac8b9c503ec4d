package linalg

import "math"

// cholBlock is the panel width of the blocked Cholesky factorisation and
// triangular solves.
const cholBlock = 24

// Potrf computes the Cholesky factorisation A = UᵀU of the n×n symmetric
// matrix A, whose upper triangle it reads and overwrites with U. It reports
// false (leaving A partly overwritten) when A is not numerically positive
// definite, that is when a pivot is not a positive finite number.
func Potrf(n int, a []float64, lda int) bool {
	if n <= 0 {
		return true
	}
	checkMat("Potrf", n, n, a, lda)
	for k0 := 0; k0 < n; k0 += cholBlock {
		k1 := min(k0+cholBlock, n)
		// Factor the panel rows k0..k1 over all columns k0..n.
		for k := k0; k < k1; k++ {
			row := a[k*lda : k*lda+n]
			d := row[k]
			if !(d > 0) || math.IsInf(d, 1) {
				return false
			}
			d = math.Sqrt(d)
			row[k] = d
			inv := 1 / d
			for j := k + 1; j < n; j++ {
				row[j] *= inv
			}
			for i := k + 1; i < k1; i++ {
				Axpy(n-i, -row[i], row[i:], a[i*lda+i:])
			}
		}
		// Trailing update of rows/columns k1..n with the panel.
		if k1 < n {
			SyrkTN(n-k1, k1-k0, -1, a[k0*lda+k1:], lda, a[k1*lda+k1:], lda)
		}
	}
	return true
}

// PotrfTol is Potrf that also reports false when a squared pivot falls
// below rel times the largest diagonal element of A: a singular matrix can
// factor with tiny positive pivots in floating point, and rel is the
// relative size below which the caller treats a pivot as zero.
func PotrfTol(n int, a []float64, lda int, rel float64) bool {
	if n <= 0 {
		return true
	}
	checkMat("PotrfTol", n, n, a, lda)
	dmax := 0.0
	for i := 0; i < n; i++ {
		dmax = math.Max(dmax, a[i*lda+i])
	}
	if !Potrf(n, a, lda) {
		return false
	}
	for i := 0; i < n; i++ {
		if d := a[i*lda+i]; d*d <= rel*dmax {
			return false
		}
	}
	return true
}

// SolveUT solves Uᵀx = b in place (x holds b on entry) for the n×n upper
// triangular U.
func SolveUT(n int, u []float64, ldu int, x []float64) {
	if n <= 0 {
		return
	}
	checkMat("SolveUT", n, n, u, ldu)
	_ = x[n-1]
	for k := 0; k < n; k++ {
		xk := x[k] / u[k*ldu+k]
		x[k] = xk
		if k+1 < n {
			Axpy(n-k-1, -xk, u[k*ldu+k+1:], x[k+1:])
		}
	}
}

// SolveU solves Ux = b in place (x holds b on entry) for the n×n upper
// triangular U.
func SolveU(n int, u []float64, ldu int, x []float64) {
	if n <= 0 {
		return
	}
	checkMat("SolveU", n, n, u, ldu)
	_ = x[n-1]
	for k := n - 1; k >= 0; k-- {
		s := x[k]
		if k+1 < n {
			s -= Dot(n-k-1, u[k*ldu+k+1:], x[k+1:])
		}
		x[k] = s / u[k*ldu+k]
	}
}

// SolveChol solves UᵀUx = b in place, given the Cholesky factor from Potrf.
func SolveChol(n int, u []float64, ldu int, x []float64) {
	SolveUT(n, u, ldu, x)
	SolveU(n, u, ldu, x)
}

// SolveUTMulti solves UᵀX = B in place (X holds B on entry) for the n×n upper
// triangular U and the n×r matrix B.
func SolveUTMulti(n, r int, u []float64, ldu int, b []float64, ldb int) {
	if n <= 0 || r <= 0 {
		return
	}
	checkMat("SolveUTMulti U", n, n, u, ldu)
	checkMat("SolveUTMulti B", n, r, b, ldb)
	for k0 := 0; k0 < n; k0 += cholBlock {
		k1 := min(k0+cholBlock, n)
		for k := k0; k < k1; k++ {
			brow := b[k*ldb : k*ldb+r]
			inv := 1 / u[k*ldu+k]
			for j := range brow {
				brow[j] *= inv
			}
			for i := k + 1; i < k1; i++ {
				Axpy(r, -u[k*ldu+i], brow, b[i*ldb:])
			}
		}
		if k1 < n {
			GemmTN(n-k1, r, k1-k0, -1, u[k0*ldu+k1:], ldu, b[k0*ldb:], ldb, b[k1*ldb:], ldb)
		}
	}
}

package linalg

import "math"

// Potrf computes the Cholesky factorisation A = UᵀU of the n×n symmetric
// matrix A, whose upper triangle it reads and overwrites with U. It reports
// false (leaving A partly overwritten) when A is not numerically positive
// definite, that is when a pivot is not a positive finite number.
//
// It is left-looking in panels of blockRows rows: each panel is first
// updated with all the rows of U above it in one TN product (the kernel's
// long inner dimension is where the time goes), then factored on its own.
func Potrf(n int, a []float64, lda int) bool {
	if n <= 0 {
		return true
	}
	checkMat("Potrf", n, n, a, lda)
	return potrf(n, nil, 0, nil, a, lda)
}

// PotrfShifted computes the Cholesky factor U of S + diag(d) into the upper
// triangle of u, reading only the upper triangle of S (which it does not
// modify). It is Potrf(copy of S with d added to its diagonal) without the
// separate copy.
func PotrfShifted(n int, s []float64, lds int, d []float64, u []float64, ldu int) bool {
	if n <= 0 {
		return true
	}
	checkMat("PotrfShifted S", n, n, s, lds)
	checkMat("PotrfShifted U", n, n, u, ldu)
	_ = d[n-1]
	return potrf(n, s, lds, d, u, ldu)
}

// potrf factors into a; when s is not nil, each panel's rows are first
// copied from s (upper part) with d added to the diagonal.
func potrf(n int, s []float64, lds int, d []float64, a []float64, lda int) bool {
	for k0 := 0; k0 < n; k0 += blockRows {
		k1 := min(k0+blockRows, n)
		if s != nil && k0 > 0 && use512 && k1-k0 == 4 {
			// The AVX-512 update reads the panel's rows from s itself
			// (A = S − UᵀU), which saves copying them first; the last ≤ 8
			// columns are copied for the AVX2 kernels. d goes on the
			// diagonal afterwards.
			w := width512(n - k0)
			if w > 0 {
				tn4xN512Asm(k0, &a[k0], lda, &a[k0], lda, &a[k0*lda+k0], lda, &s[k0*lds+k0], lds, w, -1)
			}
			if w < n-k0 {
				for k := k0; k < k1; k++ {
					copy(a[k*lda+k0+w:k*lda+n], s[k*lds+k0+w:k*lds+n])
				}
				tnRowBlock(4, w, n-k0, k0, -1, a[k0:], lda, a[k0:], lda, a[k0*lda+k0:], lda)
			}
			for k := k0; k < k1; k++ {
				a[k*lda+k] += d[k]
			}
		} else {
			if s != nil {
				for k := k0; k < k1; k++ {
					copy(a[k*lda+k0:k*lda+n], s[k*lds+k0:k*lds+n])
					a[k*lda+k] += d[k]
				}
			}
			if k0 > 0 {
				// A[k0:k1, k0:n] −= U[0:k0, k0:k1]ᵀ·U[0:k0, k0:n]
				tnRowBlock(k1-k0, 0, n-k0, k0, -1, a[k0:], lda, a[k0:], lda, a[k0*lda+k0:], lda)
			}
		}
		if accel && k1-k0 == 4 {
			if !potrfPanel4Asm(n-k0, &a[k0*lda+k0], lda) {
				return false
			}
			continue
		}
		for k := k0; k < k1; k++ {
			row := a[k*lda : k*lda+n]
			p := row[k]
			if !(p > 0) || math.IsInf(p, 1) {
				return false
			}
			p = math.Sqrt(p)
			row[k] = p
			Scal(n-k-1, 1/p, row[k+1:])
			for i := k + 1; i < k1; i++ {
				Axpy(n-i, -row[i], row[i:], a[i*lda+i:])
			}
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
	k0 := 0
	if accel && n >= 4 {
		// Whole 4-row blocks in one vector kernel, the last 1–3 rows below.
		nb := n / 4
		solveUT4Asm(nb, n, &u[0], ldu, &x[0])
		k0 = 4 * nb
	}
	for ; k0 < n; k0 += blockRows {
		k1 := min(k0+blockRows, n)
		if k1-k0 == 4 {
			r0, r1, r2, r3 := u[k0*ldu+k0:k0*ldu+k0+4], u[(k0+1)*ldu+k0:(k0+1)*ldu+k0+4], u[(k0+2)*ldu+k0:(k0+2)*ldu+k0+4], u[(k0+3)*ldu+k0:(k0+3)*ldu+k0+4]
			xs := x[k0 : k0+4]
			x0 := xs[0] / r0[0]
			x1 := (xs[1] - r0[1]*x0) / r1[1]
			x2 := (xs[2] - r0[2]*x0 - r1[2]*x1) / r2[2]
			x3 := (xs[3] - r0[3]*x0 - r1[3]*x1 - r2[3]*x2) / r3[3]
			xs[0], xs[1], xs[2], xs[3] = x0, x1, x2, x3
		} else {
			for k := k0; k < k1; k++ {
				xk := x[k] / u[k*ldu+k]
				x[k] = xk
				for i := k + 1; i < k1; i++ {
					x[i] -= u[k*ldu+i] * xk
				}
			}
		}
		if k1 == n {
			break
		}
		// x[k1:] −= U[k0:k1, k1:]ᵀ·x[k0:k1]
		if accel && k1-k0 == 4 {
			t := [4]float64{-x[k0], -x[k0+1], -x[k0+2], -x[k0+3]}
			axpy4Asm(n-k1, &t[0], &u[k0*ldu+k1], ldu, &x[k1])
			continue
		}
		for k := k0; k < k1; k++ {
			Axpy(n-k1, -x[k], u[k*ldu+k1:], x[k1:])
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
	if accel && n >= 4 {
		// The last 1–3 rows first, then whole 4-row blocks in one vector
		// kernel.
		nb := n / 4
		for k := n - 1; k >= 4*nb; k-- {
			s := x[k]
			for j := k + 1; j < n; j++ {
				s -= u[k*ldu+j] * x[j]
			}
			x[k] = s / u[k*ldu+k]
		}
		solveU4Asm(nb, n, &u[0], ldu, &x[0])
		return
	}
	for k1 := n; k1 > 0; k1 -= blockRows {
		k0 := max(k1-blockRows, 0)
		// x[k0:k1] −= U[k0:k1, k1:]·x[k1:]
		if k1 < n {
			if accel && k1-k0 == 4 {
				var t [4]float64
				dot4Asm(n-k1, &u[k0*ldu+k1], ldu, &x[k1], &t[0])
				x[k0] -= t[0]
				x[k0+1] -= t[1]
				x[k0+2] -= t[2]
				x[k0+3] -= t[3]
			} else {
				for k := k0; k < k1; k++ {
					x[k] -= Dot(n-k1, u[k*ldu+k1:], x[k1:])
				}
			}
		}
		if k1-k0 == 4 {
			r0, r1, r2, r3 := u[k0*ldu+k0:k0*ldu+k0+4], u[(k0+1)*ldu+k0:(k0+1)*ldu+k0+4], u[(k0+2)*ldu+k0:(k0+2)*ldu+k0+4], u[(k0+3)*ldu+k0:(k0+3)*ldu+k0+4]
			xs := x[k0 : k0+4]
			x3 := xs[3] / r3[3]
			x2 := (xs[2] - r2[3]*x3) / r2[2]
			x1 := (xs[1] - r1[2]*x2 - r1[3]*x3) / r1[1]
			x0 := (xs[0] - r0[1]*x1 - r0[2]*x2 - r0[3]*x3) / r0[0]
			xs[0], xs[1], xs[2], xs[3] = x0, x1, x2, x3
			continue
		}
		for k := k1 - 1; k >= k0; k-- {
			s := x[k]
			for j := k + 1; j < k1; j++ {
				s -= u[k*ldu+j] * x[j]
			}
			x[k] = s / u[k*ldu+k]
		}
	}
}

// SolveChol solves UᵀUx = b in place, given the Cholesky factor from Potrf.
func SolveChol(n int, u []float64, ldu int, x []float64) {
	SolveUT(n, u, ldu, x)
	SolveU(n, u, ldu, x)
}

// SolveUTMulti solves UᵀX = B in place (X holds B on entry) for the n×n upper
// triangular U and the n×r matrix B. Like Potrf it works on panels of
// blockRows rows, each first updated with all the solved rows above it.
func SolveUTMulti(n, r int, u []float64, ldu int, b []float64, ldb int) {
	if n <= 0 || r <= 0 {
		return
	}
	checkMat("SolveUTMulti U", n, n, u, ldu)
	checkMat("SolveUTMulti B", n, r, b, ldb)
	for k0 := 0; k0 < n; k0 += blockRows {
		k1 := min(k0+blockRows, n)
		if k0 > 0 {
			// X[k0:k1, :] −= U[0:k0, k0:k1]ᵀ·X[0:k0, :]
			tnRowBlock(k1-k0, 0, r, k0, -1, u[k0:], ldu, b, ldb, b[k0*ldb:], ldb)
		}
		for k := k0; k < k1; k++ {
			brow := b[k*ldb : k*ldb+r]
			Scal(r, 1/u[k*ldu+k], brow)
			for i := k + 1; i < k1; i++ {
				Axpy(r, -u[k*ldu+i], brow, b[i*ldb:])
			}
		}
	}
}

package linalg

import "fmt"

// Dot returns Σ x[i]·y[i] over the first n elements.
func Dot(n int, x, y []float64) float64 {
	if n <= 0 {
		return 0
	}
	_, _ = x[n-1], y[n-1]
	if accel {
		return dotAsm(n, &x[0], &y[0])
	}
	return dotGo(x[:n], y[:n])
}

func dotGo(x, y []float64) float64 {
	y = y[:len(x)]
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(x); i += 4 {
		s0 += x[i] * y[i]
		s1 += x[i+1] * y[i+1]
		s2 += x[i+2] * y[i+2]
		s3 += x[i+3] * y[i+3]
	}
	for ; i < len(x); i++ {
		s0 += x[i] * y[i]
	}
	return (s0 + s1) + (s2 + s3)
}

// Axpy computes y[i] += alpha·x[i] for the first n elements.
func Axpy(n int, alpha float64, x, y []float64) {
	if n <= 0 || alpha == 0 {
		return
	}
	_, _ = x[n-1], y[n-1]
	if accel {
		axpyAsm(n, alpha, &x[0], &y[0])
		return
	}
	axpyGo(alpha, x[:n], y[:n])
}

func axpyGo(alpha float64, x, y []float64) {
	y = y[:len(x)]
	for i, v := range x {
		y[i] += alpha * v
	}
}

// Axpy2 computes dst[i] += a·x[i] + b·y[i] for the first n elements (a
// rank-2 update of one row).
func Axpy2(n int, a float64, x []float64, b float64, y, dst []float64) {
	if n <= 0 {
		return
	}
	_, _, _ = x[n-1], y[n-1], dst[n-1]
	if accel {
		axpy2Asm(n, a, &x[0], b, &y[0], &dst[0])
		return
	}
	x, y, dst = x[:n], y[:n], dst[:n]
	for i := range dst {
		dst[i] += a*x[i] + b*y[i]
	}
}

// Scal computes x[i] *= alpha for the first n elements.
func Scal(n int, alpha float64, x []float64) {
	if n <= 0 {
		return
	}
	_ = x[n-1]
	if accel {
		scalAsm(n, alpha, &x[0])
		return
	}
	for i := range x[:n] {
		x[i] *= alpha
	}
}

// Gemv computes y += alpha·A·x for the m×n matrix A.
func Gemv(m, n int, alpha float64, a []float64, lda int, x, y []float64) {
	if m <= 0 || n <= 0 {
		return
	}
	checkMat("Gemv", m, n, a, lda)
	_, _ = x[n-1], y[m-1]
	i := 0
	if accel {
		var t [4]float64
		for ; i+4 <= m; i += 4 {
			dot4Asm(n, &a[i*lda], lda, &x[0], &t[0])
			y[i] += alpha * t[0]
			y[i+1] += alpha * t[1]
			y[i+2] += alpha * t[2]
			y[i+3] += alpha * t[3]
		}
	}
	for ; i < m; i++ {
		y[i] += alpha * Dot(n, a[i*lda:], x)
	}
}

// GemvT computes y += alpha·Aᵀ·x for the m×n matrix A (so x has m elements
// and y has n).
func GemvT(m, n int, alpha float64, a []float64, lda int, x, y []float64) {
	if m <= 0 || n <= 0 {
		return
	}
	checkMat("GemvT", m, n, a, lda)
	_, _ = x[m-1], y[n-1]
	i := 0
	if accel {
		var t [4]float64
		for ; i+4 <= m; i += 4 {
			t = [4]float64{alpha * x[i], alpha * x[i+1], alpha * x[i+2], alpha * x[i+3]}
			axpy4Asm(n, &t[0], &a[i*lda], lda, &y[0])
		}
	}
	for ; i < m; i++ {
		Axpy(n, alpha*x[i], a[i*lda:], y)
	}
}

// GemmTN computes C += alpha·AᵀB where A is k×m, B is k×n and C is m×n.
func GemmTN(m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, c []float64, ldc int) {
	if m <= 0 || n <= 0 || k <= 0 || alpha == 0 {
		return
	}
	checkMat("GemmTN A", k, m, a, lda)
	checkMat("GemmTN B", k, n, b, ldb)
	checkMat("GemmTN C", m, n, c, ldc)
	for i0 := 0; i0 < m; i0 += blockRows {
		mr := min(blockRows, m-i0)
		tnRowBlock(mr, 0, n, k, alpha, a[i0:], lda, b, ldb, c[i0*ldc:], ldc)
	}
}

// SyrkTN computes the upper triangle of C += alpha·AᵀA where A is k×n and C
// is n×n. The strictly lower triangle of C may be overwritten.
func SyrkTN(n, k int, alpha float64, a []float64, lda int, c []float64, ldc int) {
	if n <= 0 || k <= 0 || alpha == 0 {
		return
	}
	checkMat("SyrkTN A", k, n, a, lda)
	checkMat("SyrkTN C", n, n, c, ldc)
	for i0 := 0; i0 < n; i0 += blockRows {
		mr := min(blockRows, n-i0)
		tnRowBlock(mr, i0, n, k, alpha, a[i0:], lda, a, lda, c[i0*ldc:], ldc)
	}
}

// SyrkTNEnvelope is SyrkTN for an A whose column i is zero above row
// first[i], with first nondecreasing: the products skip the zero rows.
func SyrkTNEnvelope(n, k int, first []int, alpha float64, a []float64, lda int, c []float64, ldc int) {
	if n <= 0 || k <= 0 || alpha == 0 {
		return
	}
	checkMat("SyrkTNEnvelope A", k, n, a, lda)
	checkMat("SyrkTNEnvelope C", n, n, c, ldc)
	_ = first[n-1]
	for i0 := 0; i0 < n; i0 += blockRows {
		mr := min(blockRows, n-i0)
		f := first[i0]
		if f >= k {
			continue
		}
		tnRowBlock(mr, i0, n, k-f, alpha, a[f*lda+i0:], lda, a[f*lda:], lda, c[i0*ldc:], ldc)
	}
}

// blockRows and blockCols are the register-block shape of the TN kernels.
const (
	blockRows = 4
	blockCols = 8
)

// tnRowBlock updates the mr (≤ blockRows) rows of C that start at c, over
// columns j0..n-1: C[i][j] += alpha·Σ_r A[r][i]·B[r][j]. a points at the
// first of the mr columns of A.
func tnRowBlock(mr, j0, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, c []float64, ldc int) {
	if !accel {
		tnGo(mr, n-j0, k, alpha, a, lda, b[j0:], ldb, c[j0:], ldc)
		return
	}
	if mr < blockRows {
		// Fewer than 4 rows: each row of C is a combination of rows of B,
		// four at a time.
		for i := 0; i < mr; i++ {
			ci := c[i*ldc+j0:]
			r := 0
			for ; r+4 <= k; r += 4 {
				t := [4]float64{alpha * a[r*lda+i], alpha * a[(r+1)*lda+i], alpha * a[(r+2)*lda+i], alpha * a[(r+3)*lda+i]}
				axpy4Asm(n-j0, &t[0], &b[r*ldb+j0], ldb, &ci[0])
			}
			for ; r < k; r++ {
				Axpy(n-j0, alpha*a[r*lda+i], b[r*ldb+j0:], ci)
			}
		}
		return
	}
	j := j0
	if use512 {
		// The 16-column blocks in one call; a masked 16-column block would
		// waste up to 15 of its lanes, so the rest goes to the AVX2 kernels
		// unless it is more than 8 columns.
		if w := width512(n - j0); w > 0 {
			tn4xN512Asm(k, &a[0], lda, &b[j0], ldb, &c[j0], ldc, &c[j0], ldc, w, alpha)
			j += w
		}
	}
	for ; j+8 <= n; j += 8 {
		tn4x8Asm(k, &a[0], lda, &b[j], ldb, &c[j], ldc, alpha)
	}
	if j+4 <= n {
		tn4x4Asm(k, &a[0], lda, &b[j], ldb, &c[j], ldc, alpha)
		j += 4
	}
	if j < n {
		tn4xMaskAsm(k, &a[0], lda, &b[j], ldb, &c[j], ldc, alpha, &edgeMasks[n-j][0])
	}
}

// width512 returns how many of n columns the AVX-512 product kernel takes:
// the whole 16-column blocks, and the rest too when it is more than 8.
func width512(n int) int {
	w := n &^ 15
	if rest := n - w; rest > 8 {
		w += rest
	}
	return w
}

// edgeMasks[w] selects the first w of 4 lanes.
var edgeMasks = [4][4]int64{{}, {-1}, {-1, -1}, {-1, -1, -1}}

// tnGo is the portable TN kernel: C[i][j] += alpha·Σ_r A[r][i]·B[r][j] for
// an mr×nr block.
func tnGo(mr, nr, k int, alpha float64, a []float64, lda int, b []float64, ldb int, c []float64, ldc int) {
	for r := 0; r < k; r++ {
		arow := a[r*lda : r*lda+mr]
		brow := b[r*ldb : r*ldb+nr]
		for i, av := range arow {
			if av == 0 {
				continue
			}
			av *= alpha
			crow := c[i*ldc : i*ldc+nr]
			for j, bv := range brow {
				crow[j] += av * bv
			}
		}
	}
}

// checkMat panics with a clear message when a is too short to hold an r×c
// matrix with leading dimension ld. The assembly kernels rely on it.
func checkMat(what string, r, c int, a []float64, ld int) {
	if ld < c || len(a) < (r-1)*ld+c {
		panic(fmt.Sprintf("linalg: %s: %d×%d matrix with leading dimension %d does not fit in %d elements", what, r, c, ld, len(a)))
	}
}

// Outer2 sets the rows×n matrix D (leading dimension ld) to the rank-2
// product ca·xᵀ + cb·yᵀ: D[r][i] = ca[r]·x[i] + cb[r]·y[i]. It only
// writes D (the gradient outer products of the QP layer are written once,
// never read back), and rounds like Axpy2 into a zero row.
func Outer2(rows, n int, ca, x, cb, y []float64, d []float64, ld int) {
	if rows <= 0 || n <= 0 {
		return
	}
	checkMat("Outer2", rows, n, d, ld)
	_, _, _, _ = ca[rows-1], cb[rows-1], x[n-1], y[n-1]
	if accel {
		outer2Asm(rows, n, &ca[0], &x[0], &cb[0], &y[0], &d[0], ld)
		return
	}
	x, y = x[:n], y[:n]
	for r := 0; r < rows; r++ {
		a, b := ca[r], cb[r]
		row := d[r*ld : r*ld+n]
		for i := range row {
			row[i] = a*x[i] + b*y[i]
		}
	}
}

// Scan returns the number of nonzero elements of x (a NaN counts as
// nonzero) and whether all of them are finite, in one pass.
func Scan(x []float64) (nnz int, finite bool) {
	if len(x) == 0 {
		return 0, true
	}
	if accel {
		nnz, bad := scanAsm(len(x), &x[0])
		return nnz, bad == 0
	}
	finite = true
	for _, v := range x {
		if v != 0 || v != v {
			nnz++
		}
		if v-v != 0 { // NaN for NaN and ±Inf
			finite = false
		}
	}
	return nnz, finite
}

// MaxStep returns the largest α ≤ a with x + α·dx ≥ 0 (for x ≥ 0): the
// smaller of a and every −x[i]/dx[i] with dx[i] < 0, over the elements of
// dx.
func MaxStep(x, dx []float64, a float64) float64 {
	n := len(dx)
	if n == 0 {
		return a
	}
	_ = x[n-1]
	if accel {
		return maxStepAsm(n, &x[0], &dx[0], a)
	}
	x = x[:n]
	for i, v := range dx {
		// x + a·v ≥ 0 ⇔ a ≤ −x/v; compare without dividing.
		if v < 0 && x[i] < -a*v {
			a = -x[i] / v
		}
	}
	return a
}

// GemvBoth computes out += A·x and y += Aᵀ·lam for the m×n matrix A in one
// pass over A (out and lam have m elements, x and y n).
func GemvBoth(m, n int, a []float64, lda int, x, out, lam, y []float64) {
	if m <= 0 || n <= 0 {
		return
	}
	checkMat("GemvBoth", m, n, a, lda)
	_, _, _, _ = x[n-1], y[n-1], out[m-1], lam[m-1]
	i := 0
	if accel && m >= 4 {
		nb := m / 4
		gemvBoth4Asm(nb, n, &a[0], lda, &x[0], &out[0], &lam[0], &y[0])
		i = 4 * nb
	}
	for ; i < m; i++ {
		out[i] += Dot(n, a[i*lda:], x)
		Axpy(n, lam[i], a[i*lda:], y)
	}
}

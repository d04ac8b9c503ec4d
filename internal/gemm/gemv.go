package gemm

import "github.com/optnet-go/optnet/internal/parallel"

// Products with a single row of C (m = 1: a batch-1 dense layer) are
// matrix-vector products: packing all of op(B) for one row of A would cost
// as much as the product, so they run straight from the operands, as dot
// products with the rows of B when op(B) = Bᵀ (B stored n×k, the usual
// layout of weights) and as a sum of scaled rows of B otherwise.

// gemvWork is the work (k·n) above which a single-row product is split
// across goroutines by columns.
const gemvWork = 1 << 18

// gemv computes the 1×n row C = alpha·op(A)·op(B) + beta·C.
func gemv[T float](transA, transB bool, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, workers int) {
	row := a[:k]
	if transA {
		// op(A) is a column of A: gather it.
		tmp := make([]T, k)
		for p := range tmp {
			tmp[p] = a[p*lda]
		}
		row = tmp
	}
	cols := func(j0, j1 int) {
		cc := c[j0:j1]
		if transB {
			for j := range cc {
				s := alpha * dot(row, b[(j0+j)*ldb:(j0+j)*ldb+k])
				if beta != 0 {
					s += beta * cc[j]
				}
				cc[j] = s
			}
			return
		}
		scaleC(1, len(cc), beta, cc, len(cc))
		for p, v := range row {
			axpy(alpha*v, b[p*ldb+j0:p*ldb+j1], cc)
		}
	}
	if workers <= 1 || n*k < gemvWork || n < 64 {
		cols(0, n)
		return
	}
	chunks := min(n/32, 4*workers)
	parallel.ForEach(chunks, func(i int) { cols(n*i/chunks, n*(i+1)/chunks) })
}

// dot returns Σ x[i]·y[i] (len(y) >= len(x)).
func dot[T float](x, y []T) T {
	y = y[:len(x)]
	if xs, ok := any(x).([]float32); ok {
		ys := any(y).([]float32)
		if i, s := sdotAsm(xs, ys); i > 0 {
			for ; i < len(xs); i++ {
				s += xs[i] * ys[i]
			}
			return T(s)
		}
	}
	var s0, s1, s2, s3 T
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

// axpy sets y[i] += alpha·x[i] (len(x) == len(y)).
func axpy[T float](alpha T, x, y []T) {
	x = x[:len(y)]
	i := 0
	if xs, ok := any(x).([]float32); ok {
		i = saxpyAsm(float32(alpha), xs, any(y).([]float32))
	}
	for ; i < len(y); i++ {
		y[i] += alpha * x[i]
	}
}

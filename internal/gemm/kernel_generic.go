package gemm

// microGo is the portable micro-kernel for 4×4 tiles (mr = nr = 4). It keeps
// the 16 accumulators in locals so the compiler can hold them in registers.
func microGo[T float](kc int, a, b, c []T, ldc int, beta T, load bool) {
	var (
		c00, c01, c02, c03 T
		c10, c11, c12, c13 T
		c20, c21, c22, c23 T
		c30, c31, c32, c33 T
	)
	a = a[:4*kc]
	b = b[:4*kc]
	for p := 0; p < len(a); p += 4 {
		av := a[p : p+4 : p+4]
		bv := b[p : p+4 : p+4]
		a0, a1, a2, a3 := av[0], av[1], av[2], av[3]
		b0, b1, b2, b3 := bv[0], bv[1], bv[2], bv[3]
		c00 += a0 * b0
		c01 += a0 * b1
		c02 += a0 * b2
		c03 += a0 * b3
		c10 += a1 * b0
		c11 += a1 * b1
		c12 += a1 * b2
		c13 += a1 * b3
		c20 += a2 * b0
		c21 += a2 * b1
		c22 += a2 * b2
		c23 += a2 * b3
		c30 += a3 * b0
		c31 += a3 * b1
		c32 += a3 * b2
		c33 += a3 * b3
	}
	storeRow(c[0*ldc:0*ldc+4], c00, c01, c02, c03, beta, load)
	storeRow(c[1*ldc:1*ldc+4], c10, c11, c12, c13, beta, load)
	storeRow(c[2*ldc:2*ldc+4], c20, c21, c22, c23, beta, load)
	storeRow(c[3*ldc:3*ldc+4], c30, c31, c32, c33, beta, load)
}

func storeRow[T float](row []T, v0, v1, v2, v3, beta T, load bool) {
	row = row[:4]
	if load {
		v0 += beta * row[0]
		v1 += beta * row[1]
		v2 += beta * row[2]
		v3 += beta * row[3]
	}
	row[0], row[1], row[2], row[3] = v0, v1, v2, v3
}

// Portable kernels, used where no assembly kernel applies and by the tests.
var (
	goKernel32 = &kernel[float32]{name: "go", mr: 4, nr: 4, mc: 128, kc: 256, nc: 2048, micro: microGo[float32]}
	goKernel64 = &kernel[float64]{name: "go", mr: 4, nr: 4, mc: 128, kc: 256, nc: 2048, micro: microGo[float64]}
)

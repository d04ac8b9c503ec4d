//go:build !amd64

package linalg

const haveAccel = false

var use512, have512 = false, false

// The vector kernels exist only on amd64; these stand-ins are never called
// because accel is always false here.

func dotAsm(n int, x, y *float64) float64 { panic("linalg: no vector kernels") }

func axpyAsm(n int, alpha float64, x, y *float64) { panic("linalg: no vector kernels") }

func dot4Asm(n int, a *float64, lda int, x, out *float64) { panic("linalg: no vector kernels") }

func tn4x8Asm(k int, a *float64, lda int, b *float64, ldb int, c *float64, ldc int, alpha float64) {
	panic("linalg: no vector kernels")
}

func tn4x4Asm(k int, a *float64, lda int, b *float64, ldb int, c *float64, ldc int, alpha float64) {
	panic("linalg: no vector kernels")
}

func axpy4Asm(n int, alpha *float64, a *float64, lda int, y *float64) {
	panic("linalg: no vector kernels")
}

func scalAsm(n int, alpha float64, x *float64) { panic("linalg: no vector kernels") }

func tn4xMaskAsm(k int, a *float64, lda int, b *float64, ldb int, c *float64, ldc int, alpha float64, mask *int64) {
	panic("linalg: no vector kernels")
}

func axpy2Asm(n int, a float64, x *float64, b float64, y, dst *float64) {
	panic("linalg: no vector kernels")
}

func tn4x16Asm(k int, a *float64, lda int, b *float64, ldb int, c *float64, ldc int, alpha float64) {
	panic("linalg: no vector kernels")
}

func set512(on bool) func() { return func() {} }

func solveUT4Asm(nb, n int, u *float64, ldu int, x *float64) { panic("linalg: no vector kernels") }

func solveU4Asm(nb, n int, u *float64, ldu int, x *float64) { panic("linalg: no vector kernels") }

func tn4xN512Asm(k int, a *float64, lda int, b *float64, ldb int, c *float64, ldc int, cin *float64, ldcin int, n int, alpha float64) {
	panic("linalg: no vector kernels")
}

func potrfPanel4Asm(n int, a *float64, lda int) bool { panic("linalg: no vector kernels") }

func outer2Asm(rows, n int, ca, x, cb, y, dst *float64, ld int) { panic("linalg: no vector kernels") }

func bandLUAsm(n, kl, ld int, b *float64, ipiv *int) bool { panic("linalg: no vector kernels") }

func scanAsm(n int, x *float64) (nnz int, bad int) { panic("linalg: no vector kernels") }

func maxStepAsm(n int, x, dx *float64, a float64) float64 { panic("linalg: no vector kernels") }

func gemvBoth4Asm(nb, n int, a *float64, lda int, x, out, lam, y *float64) {
	panic("linalg: no vector kernels")
}

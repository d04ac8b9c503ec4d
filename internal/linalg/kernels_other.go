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

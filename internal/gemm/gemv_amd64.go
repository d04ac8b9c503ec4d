//go:build amd64

package gemm

//go:noescape
func sdotAVX2(x, y *float32, n int) float32

//go:noescape
func saxpyAVX2(alpha float32, x, y *float32, n int)

// sdotAsm returns how many leading elements it summed (a multiple of 32)
// and their dot product.
func sdotAsm(x, y []float32) (int, float32) {
	n := len(x) &^ 31
	if !hasAVX2 || n == 0 {
		return 0, 0
	}
	return n, sdotAVX2(&x[0], &y[0], n)
}

// saxpyAsm does y += alpha·x for the leading multiple of 16 elements and
// returns how many.
func saxpyAsm(alpha float32, x, y []float32) int {
	n := len(y) &^ 15
	if !hasAVX2 || n == 0 {
		return 0
	}
	saxpyAVX2(alpha, &x[0], &y[0], n)
	return n
}

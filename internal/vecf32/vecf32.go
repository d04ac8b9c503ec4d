// Package vecf32 holds small float32 vector loops that the Go compiler does
// not vectorise: the epilogue of a convolution tile (bias, residual,
// clamp) and the nine-tap row kernel of a 3×3 depthwise convolution. On
// amd64 with AVX2 they run in assembly; elsewhere, and for the last few
// elements, in Go.
//
// Clamping follows Go's min and max for NaN (a NaN input stays NaN) but may
// return -0 where max(-0, 0) gives +0.
package vecf32

// BiasClamp sets x[i] = min(max(x[i]+b, lo), hi).
func BiasClamp(x []float32, b, lo, hi float32) {
	i := biasClampAsm(x, b, lo, hi)
	for ; i < len(x); i++ {
		x[i] = min(max(x[i]+b, lo), hi)
	}
}

// BiasAddClamp sets x[i] = min(max((x[i]+b)+r[i], lo), hi). r must be at
// least as long as x.
func BiasAddClamp(x, r []float32, b, lo, hi float32) {
	r = r[:len(x)]
	i := biasAddClampAsm(x, r, b, lo, hi)
	for ; i < len(x); i++ {
		x[i] = min(max((x[i]+b)+r[i], lo), hi)
	}
}

// MaxInto sets d[i] = max(d[i], s[i]) (Go's max: a NaN in either wins).
// s must be at least as long as d.
func MaxInto(d, s []float32) {
	s = s[:len(d)]
	i := maxIntoAsm(d, s)
	for ; i < len(d); i++ {
		d[i] = max(d[i], s[i])
	}
}

// Deinterleave splits src into its even- and odd-indexed elements:
// even[j] = src[2j] for j < ⌈len(src)/2⌉, odd[j] = src[2j+1] for j <
// ⌊len(src)/2⌋.
func Deinterleave(even, odd, src []float32) {
	i := deinterleaveAsm(even, odd, src)
	for ; i+1 < len(src); i += 2 {
		even[i/2], odd[i/2] = src[i], src[i+1]
	}
	if i < len(src) {
		even[i/2] = src[i]
	}
}

// Tap9 sets d[j] = min(max(b + Σ_t w[t]·s[t][j], lo), hi) for every j <
// len(d): one output row of a 3×3 convolution of one channel, s holding
// the nine input rows already offset for each tap. Each s[t] must be at
// least as long as d.
func Tap9(d []float32, s *[9][]float32, w *[9]float32, b, lo, hi float32) {
	n := len(d)
	for t := range s {
		s[t] = s[t][:n]
	}
	j := tap9Asm(d, s, w, b, lo, hi)
	for ; j < n; j++ {
		acc := b
		for t := range 9 {
			acc += w[t] * s[t][j]
		}
		d[j] = min(max(acc, lo), hi)
	}
}

// Tap9Rows is Tap9 over rows rows of n outputs: output row r is
// d[r·dstride : r·dstride+n] and reads s[t][r·sstride:] (a 3×3
// convolution of a whole plane whose rows lie sstride apart in its
// source). d and every s[t] must hold their last row.
func Tap9Rows(d []float32, n, rows, dstride int, s *[9][]float32, sstride int, w *[9]float32, b, lo, hi float32) {
	if n <= 0 || rows <= 0 {
		return
	}
	_ = d[(rows-1)*dstride+n-1]
	for t := range s {
		_ = s[t][(rows-1)*sstride+n-1]
	}
	if tap9RowsAsm(d, n, rows, dstride, s, sstride, w, b, lo, hi) {
		return
	}
	var row [9][]float32
	for r := range rows {
		for t := range s {
			row[t] = s[t][r*sstride:]
		}
		Tap9(d[r*dstride:r*dstride+n], &row, w, b, lo, hi)
	}
}

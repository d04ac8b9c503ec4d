//go:build amd64

package vecf32

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

var useAVX2 = cpu.X86.HasAVX2 && cpu.X86.HasFMA

//go:noescape
func biasClampAVX2(x *float32, n int, b, lo, hi float32)

//go:noescape
func biasAddClampAVX2(x, r *float32, n int, b, lo, hi float32)

//go:noescape
func maxIntoAVX2(d, s *float32, n int)

//go:noescape
func deinterleaveAVX2(even, odd, src *float32, n int)

//go:noescape
func tap9RowsAVX2(d *float32, n, rows, dstride, sstride int, s *[9]unsafe.Pointer, w *[9]float32, b, lo, hi float32)

//go:noescape
func tap9AVX2(d *float32, n int, s *[9]unsafe.Pointer, w *[9]float32, b, lo, hi float32)

// The assembly loops return how many elements they did: biasClamp and
// biasAddClamp whole blocks of 16, tap9 all of them.

func biasClampAsm(x []float32, b, lo, hi float32) int {
	n := len(x) &^ 15
	if !useAVX2 || n == 0 {
		return 0
	}
	biasClampAVX2(&x[0], n, b, lo, hi)
	return n
}

func biasAddClampAsm(x, r []float32, b, lo, hi float32) int {
	n := len(x) &^ 15
	if !useAVX2 || n == 0 {
		return 0
	}
	biasAddClampAVX2(&x[0], &r[0], n, b, lo, hi)
	return n
}

func tap9Asm(d []float32, s *[9][]float32, w *[9]float32, b, lo, hi float32) int {
	n := len(d)
	if !useAVX2 || n == 0 {
		return 0
	}
	var p [9]unsafe.Pointer
	for t := range s {
		p[t] = unsafe.Pointer(&s[t][0])
	}
	tap9AVX2(&d[0], n, &p, w, b, lo, hi)
	return n
}

func maxIntoAsm(d, s []float32) int {
	n := len(d) &^ 15
	if !useAVX2 || n == 0 {
		return 0
	}
	maxIntoAVX2(&d[0], &s[0], n)
	return n
}

func deinterleaveAsm(even, odd, src []float32) int {
	n := len(src) &^ 15
	if !useAVX2 || n == 0 {
		return 0
	}
	_, _ = even[n/2-1], odd[n/2-1]
	deinterleaveAVX2(&even[0], &odd[0], &src[0], n)
	return n
}

func tap9RowsAsm(d []float32, n, rows, dstride int, s *[9][]float32, sstride int, w *[9]float32, b, lo, hi float32) bool {
	if !useAVX2 {
		return false
	}
	var p [9]unsafe.Pointer
	for t := range s {
		p[t] = unsafe.Pointer(&s[t][0])
	}
	tap9RowsAVX2(&d[0], n, rows, dstride*4, sstride*4, &p, w, b, lo, hi)
	return true
}

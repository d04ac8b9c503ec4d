//go:build amd64

package gemm

import "unsafe"

//go:noescape
func copyRowsAVX2(dst, src *byte, rows, ld, width int)

//go:noescape
func transpose4F32(dst, src *byte, kb, ld, stride int)

//go:noescape
func transpose4F64(dst, src *byte, kb, ld, stride int)

func bytePtr[T float](s []T) *byte { return (*byte)(unsafe.Pointer(&s[0])) }

// copyRowsAsm copies rows runs of w elements from src (row stride ld) to
// dst (row stride w) with vector moves. The caller has checked the bounds.
func copyRowsAsm[T float](dst, src []T, rows, ld, w int) bool {
	size := int(unsafe.Sizeof(dst[0]))
	if !hasAVX2 || w*size%8 != 0 {
		return false
	}
	copyRowsAVX2(bytePtr(dst), bytePtr(src), rows, ld*size, w*size)
	return true
}

// transposeAsm interleaves the first rows&^3 source rows (row i is
// src[i*ld:i*ld+kb]) into dst, dst[p*stride+i] = src[i*ld+p], and returns
// how many rows it did. The caller has checked the bounds.
func transposeAsm[T float](dst, src []T, rows, kb, ld, stride int) int {
	if !hasAVX2 || kb < 4 {
		return 0
	}
	size := int(unsafe.Sizeof(dst[0]))
	kb4 := kb &^ 3
	i := 0
	for ; i+4 <= rows; i += 4 {
		if size == 4 {
			transpose4F32(bytePtr(dst[i:]), bytePtr(src[i*ld:]), kb4, ld*size, stride*size)
		} else {
			transpose4F64(bytePtr(dst[i:]), bytePtr(src[i*ld:]), kb4, ld*size, stride*size)
		}
		for r := i; r < i+4; r++ {
			row := src[r*ld : r*ld+kb]
			for p := kb4; p < kb; p++ {
				dst[p*stride+r] = row[p]
			}
		}
	}
	return i
}

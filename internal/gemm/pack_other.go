//go:build !amd64

package gemm

func copyRowsAsm[T float](dst, src []T, rows, ld, w int) bool { return false }

func transposeAsm[T float](dst, src []T, rows, kb, ld, stride int) int { return 0 }

//go:build !amd64

package vecf32

func biasClampAsm(x []float32, b, lo, hi float32) int                            { return 0 }
func biasAddClampAsm(x, r []float32, b, lo, hi float32) int                      { return 0 }
func tap9Asm(d []float32, s *[9][]float32, w *[9]float32, b, lo, hi float32) int { return 0 }
func maxIntoAsm(d, s []float32) int                                              { return 0 }
func deinterleaveAsm(even, odd, src []float32) int                               { return 0 }

func tap9RowsAsm(d []float32, n, rows, dstride int, s *[9][]float32, sstride int, w *[9]float32, b, lo, hi float32) bool {
	return false
}

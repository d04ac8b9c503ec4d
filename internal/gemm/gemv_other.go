//go:build !amd64

package gemm

func sdotAsm(x, y []float32) (int, float32)      { return 0, 0 }
func saxpyAsm(alpha float32, x, y []float32) int { return 0 }

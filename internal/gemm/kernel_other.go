//go:build !amd64

package gemm

var (
	kernel32 = goKernel32
	kernel64 = goKernel64
)

// kernels32 and kernels64 list every kernel usable on this machine.
func kernels32() []*kernel[float32] { return []*kernel[float32]{goKernel32} }
func kernels64() []*kernel[float64] { return []*kernel[float64]{goKernel64} }

// offsetMicro: no in-place-B micro-kernel here.
func offsetMicro(kn *kernel[float32]) func(kc int, a, b []float32, boff []int32, c []float32, ldc int, beta float32, load bool) {
	return nil
}

// packKernel32 picks the float32 kernel for a matrix packed once.
func packKernel32(m int) *kernel[float32] { return kernel32 }

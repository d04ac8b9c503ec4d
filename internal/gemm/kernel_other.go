//go:build !amd64

package gemm

var (
	kernel32 = goKernel32
	kernel64 = goKernel64
)

// kernels32 and kernels64 list every kernel usable on this machine.
func kernels32() []*kernel[float32] { return []*kernel[float32]{goKernel32} }
func kernels64() []*kernel[float64] { return []*kernel[float64]{goKernel64} }

//go:build amd64

package gemm

import "golang.org/x/sys/cpu"

//go:generate go run gen_amd64.go

// Assembly micro-kernels (kernel_amd64.s). Each computes a full mr×nr tile;
// the Go wrappers below check the slice bounds first.

//go:noescape
func sgemmAVX2(kc int, a, b, c *float32, ldc int, beta float32, load bool)

//go:noescape
func dgemmAVX2(kc int, a, b, c *float64, ldc int, beta float64, load bool)

//go:noescape
func sgemmAVX512(kc int, a, b, c *float32, ldc int, beta float32, load bool)

//go:noescape
func dgemmAVX512(kc int, a, b, c *float64, ldc int, beta float64, load bool)

//go:noescape
func sgemmAVX512Off(kc int, a, b, c *float32, ldc int, beta float32, load bool, boff *int32)

//go:noescape
func sgemmAVX512x8(kc int, a, b, c *float32, ldc int, beta float32, load bool)

//go:noescape
func sgemmAVX512x8Off(kc int, a, b, c *float32, ldc int, beta float32, load bool, boff *int32)

func microS6x16(kc int, a, b, c []float32, ldc int, beta float32, load bool) {
	_, _, _ = a[6*kc-1], b[16*kc-1], c[5*ldc+15]
	sgemmAVX2(kc, &a[0], &b[0], &c[0], ldc, beta, load)
}

func microD6x8(kc int, a, b, c []float64, ldc int, beta float64, load bool) {
	_, _, _ = a[6*kc-1], b[8*kc-1], c[5*ldc+7]
	dgemmAVX2(kc, &a[0], &b[0], &c[0], ldc, beta, load)
}

func microS12x32(kc int, a, b, c []float32, ldc int, beta float32, load bool) {
	_, _, _ = a[12*kc-1], b[32*kc-1], c[11*ldc+31]
	sgemmAVX512(kc, &a[0], &b[0], &c[0], ldc, beta, load)
}

// microS12x32Off is microS12x32 with B read in place: step p reads 32
// values at b[boff[p]:]. The caller has checked those bounds.
func microS12x32Off(kc int, a, b []float32, boff []int32, c []float32, ldc int, beta float32, load bool) {
	_, _, _ = a[12*kc-1], boff[kc-1], c[11*ldc+31]
	sgemmAVX512Off(kc, &a[0], &b[0], &c[0], ldc, beta, load, &boff[0])
}

func microS8x32(kc int, a, b, c []float32, ldc int, beta float32, load bool) {
	_, _, _ = a[8*kc-1], b[32*kc-1], c[7*ldc+31]
	sgemmAVX512x8(kc, &a[0], &b[0], &c[0], ldc, beta, load)
}

func microS8x32Off(kc int, a, b []float32, boff []int32, c []float32, ldc int, beta float32, load bool) {
	_, _, _ = a[8*kc-1], boff[kc-1], c[7*ldc+31]
	sgemmAVX512x8Off(kc, &a[0], &b[0], &c[0], ldc, beta, load, &boff[0])
}

// offsetMicro returns the in-place-B micro-kernel for a packing kernel, if
// it has one.
func offsetMicro(kn *kernel[float32]) func(kc int, a, b []float32, boff []int32, c []float32, ldc int, beta float32, load bool) {
	switch {
	case !hasAVX512:
		return nil
	case kn == avx512Kernel32:
		return microS12x32Off
	case kn == avx512x8Kernel32:
		return microS8x32Off
	}
	return nil
}

// packKernel32 picks the float32 kernel for a matrix of m rows packed once
// (PackA32): the default 12-row tile, or the 8-row one when it pads fewer
// rows (m = 16, 32, 64, …).
func packKernel32(m int) *kernel[float32] {
	if kernel32 == avx512Kernel32 && roundUp(m, 8) < roundUp(m, 12) {
		return avx512x8Kernel32
	}
	return kernel32
}

func microD12x16(kc int, a, b, c []float64, ldc int, beta float64, load bool) {
	_, _, _ = a[12*kc-1], b[16*kc-1], c[11*ldc+15]
	dgemmAVX512(kc, &a[0], &b[0], &c[0], ldc, beta, load)
}

var (
	hasAVX2   = cpu.X86.HasAVX2 && cpu.X86.HasFMA
	hasAVX512 = hasAVX2 && cpu.X86.HasAVX512F

	avx2Kernel32 = &kernel[float32]{name: "avx2", mr: 6, nr: 16, mc: 144, kc: 256, nc: 4080, micro: microS6x16, asmPack: true}
	avx2Kernel64 = &kernel[float64]{name: "avx2", mr: 6, nr: 8, mc: 72, kc: 256, nc: 4080, micro: microD6x8, asmPack: true}

	avx512Kernel32   = &kernel[float32]{name: "avx512", mr: 12, nr: 32, mc: 144, kc: 256, nc: 4096, micro: microS12x32, asmPack: true}
	avx512x8Kernel32 = &kernel[float32]{name: "avx512x8", mr: 8, nr: 32, mc: 144, kc: 256, nc: 4096, micro: microS8x32, asmPack: true}
	avx512Kernel64   = &kernel[float64]{name: "avx512", mr: 12, nr: 16, mc: 72, kc: 256, nc: 4096, micro: microD12x16, asmPack: true}

	// kernel32 and kernel64 are the kernels the exported functions use.
	kernel32, kernel64 = bestKernels()
)

func bestKernels() (*kernel[float32], *kernel[float64]) {
	avx512Kernel32.narrow = avx2Kernel32
	avx512x8Kernel32.narrow = avx2Kernel32
	avx512Kernel64.narrow = avx2Kernel64
	k32, k64 := kernels32(), kernels64()
	return k32[len(k32)-1], k64[len(k64)-1]
}

// kernels32 lists every float32 kernel usable on this machine, slowest
// first.
func kernels32() []*kernel[float32] {
	ks := []*kernel[float32]{goKernel32}
	if hasAVX2 {
		ks = append(ks, avx2Kernel32)
	}
	if hasAVX512 {
		ks = append(ks, avx512x8Kernel32, avx512Kernel32)
	}
	return ks
}

// kernels64 lists every float64 kernel usable on this machine, slowest
// first.
func kernels64() []*kernel[float64] {
	ks := []*kernel[float64]{goKernel64}
	if hasAVX2 {
		ks = append(ks, avx2Kernel64)
	}
	if hasAVX512 {
		ks = append(ks, avx512Kernel64)
	}
	return ks
}

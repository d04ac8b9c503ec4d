//go:build amd64

package train

import "golang.org/x/sys/cpu"

// useAdamAVX selects the AVX kernels for Adam (8 float32 or 4 float64
// lanes per instruction; bit-identical to the scalar loops, which they
// replace for whole blocks of lanes).
var useAdamAVX = cpu.X86.HasAVX

// adam32Args are the per-step scalars of the float32 Adam kernel, in the
// order the assembly reads them.
type adam32Args struct {
	gs, wd, b1, a1, b2, a2, isc2, eps, step, decay float32
}

// adam32AVX updates p, m, v from g for the first len(p)/8*8 elements;
// g, m and v must be at least as long as p.
//
//go:noescape
func adam32AVX(p, g, m, v []float32, c *adam32Args)

// adam64Args are adam32Args in float64.
type adam64Args struct {
	gs, wd, b1, a1, b2, a2, isc2, eps, step, decay float64
}

// adam64AVX is adam32AVX in float64 for the first len(p)/4*4 elements.
//
//go:noescape
func adam64AVX(p, g, m, v []float64, c *adam64Args)

// adam64Vec runs the AVX kernel on the largest multiple of 4 elements and
// returns how many it did.
func adam64Vec(p, g, m, v []float64, c *adam64Args) int {
	if !useAdamAVX {
		return 0
	}
	n := len(p) &^ 3
	if n == 0 {
		return 0
	}
	adam64AVX(p[:n], g[:n], m[:n], v[:n], c)
	return n
}

// adam32Vec runs the AVX kernel on the largest multiple of 8 elements and
// returns how many it did.
func adam32Vec(p, g, m, v []float32, c *adam32Args) int {
	if !useAdamAVX {
		return 0
	}
	n := len(p) &^ 7
	if n == 0 {
		return 0
	}
	adam32AVX(p[:n], g[:n], m[:n], v[:n], c)
	return n
}

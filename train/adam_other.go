//go:build !amd64

package train

type adam32Args struct {
	gs, wd, b1, a1, b2, a2, isc2, eps, step, decay float32
}

type adam64Args struct {
	gs, wd, b1, a1, b2, a2, isc2, eps, step, decay float64
}

// adam64Vec has no vector kernel on this architecture.
func adam64Vec(p, g, m, v []float64, c *adam64Args) int { return 0 }

// adam32Vec has no vector kernel on this architecture.
func adam32Vec(p, g, m, v []float32, c *adam32Args) int { return 0 }

// useAdamAVX is false: there is no vector kernel.
var useAdamAVX = false

//go:build !amd64

package train

type adam32Args struct {
	gs, wd, b1, a1, b2, a2, isc2, eps, step, decay float32
}

// adam32Vec has no vector kernel on this architecture.
func adam32Vec(p, g, m, v []float32, c *adam32Args) int { return 0 }

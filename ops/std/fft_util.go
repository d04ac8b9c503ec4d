package std

import (
	"math"
	"math/bits"
)

// Discrete Fourier transforms for DFT and STFT: an iterative radix-2 FFT
// for power-of-two lengths and Bluestein's chirp-z algorithm (a radix-2
// convolution) for every other length, so any length costs O(n log n).
// Everything is complex128.

// fftPlan computes unnormalized length-n transforms
// X[k] = Σ_j x[j] e^{∓2πi jk/n} (minus sign forward, plus inverse).
type fftPlan struct {
	n       int
	inverse bool
	m       int          // radix-2 size: n, or Bluestein's padded size
	tw      []complex128 // e^{-2πi k/m}, k < m/2
	rev     []int        // bit reversal permutation of m
	chirp   []complex128 // Bluestein: e^{∓πi k²/n}, k < n
	filt    []complex128 // Bluestein: forward FFT of the conjugate chirp
}

func fftIsPow2(n int) bool { return n > 0 && n&(n-1) == 0 }

func newFFTPlan(n int, inverse bool) *fftPlan {
	p := &fftPlan{n: n, inverse: inverse}
	if fftIsPow2(n) {
		p.m = n
		p.radix2Tables()
		return p
	}
	p.m = 1 << bits.Len(uint(2*n-2))
	p.radix2Tables()
	sign := -1.0
	if inverse {
		sign = 1
	}
	p.chirp = make([]complex128, n)
	for k := range p.chirp {
		// k² mod 2n keeps the angle small and exact.
		q := (uint64(k) * uint64(k)) % uint64(2*n)
		a := sign * math.Pi * float64(q) / float64(n)
		p.chirp[k] = complex(math.Cos(a), math.Sin(a))
	}
	p.filt = make([]complex128, p.m)
	p.filt[0] = fftConj(p.chirp[0])
	for k := 1; k < n; k++ {
		c := fftConj(p.chirp[k])
		p.filt[k], p.filt[p.m-k] = c, c
	}
	p.radix2(p.filt, false)
	return p
}

func fftConj(c complex128) complex128 { return complex(real(c), -imag(c)) }

func (p *fftPlan) radix2Tables() {
	m := p.m
	p.tw = make([]complex128, m/2)
	for k := range p.tw {
		a := -2 * math.Pi * float64(k) / float64(m)
		p.tw[k] = complex(math.Cos(a), math.Sin(a))
	}
	p.rev = make([]int, m)
	shift := bits.Len(uint(m)) - 1
	for i := range p.rev {
		if shift > 0 {
			p.rev[i] = int(bits.Reverse(uint(i)) >> (bits.UintSize - shift))
		}
	}
}

// radix2 transforms x (length m) in place; inverse uses e^{+2πi jk/m}.
func (p *fftPlan) radix2(x []complex128, inverse bool) {
	m := p.m
	for i, j := range p.rev {
		if i < j {
			x[i], x[j] = x[j], x[i]
		}
	}
	for size := 2; size <= m; size <<= 1 {
		half, step := size/2, m/size
		for start := 0; start < m; start += size {
			for k := 0; k < half; k++ {
				w := p.tw[k*step]
				if inverse {
					w = fftConj(w)
				}
				a, b := x[start+k], x[start+k+half]*w
				x[start+k], x[start+k+half] = a+b, a-b
			}
		}
	}
}

// workLen is the scratch length transform needs.
func (p *fftPlan) workLen() int { return p.m }

// transform replaces x (length n) by its transform, using work (length
// workLen) as scratch.
func (p *fftPlan) transform(x, work []complex128) {
	if p.chirp == nil {
		p.radix2(x, p.inverse)
		return
	}
	n := p.n
	for k := 0; k < n; k++ {
		work[k] = x[k] * p.chirp[k]
	}
	clear(work[n:])
	p.radix2(work, false)
	for k := range work {
		work[k] *= p.filt[k]
	}
	p.radix2(work, true)
	scale := 1 / float64(p.m)
	for k := 0; k < n; k++ {
		x[k] = work[k] * p.chirp[k] * complex(scale, 0)
	}
}

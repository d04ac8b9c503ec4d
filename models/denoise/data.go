package main

import (
	"math/rand/v2"
)

// Signals is a set of denoising examples: clean piecewise-constant
// signals and their noisy observations, row-major (count × length).
type Signals struct {
	Count, Length int
	Clean, Noisy  []float32
}

// DataConfig describes the synthetic denoising data of the OptNet paper's
// experiment: piecewise-constant signals with a random number of segments
// at random breakpoints, segment heights uniform in [MinHeight, MaxHeight),
// plus Gaussian noise.
type DataConfig struct {
	Count       int
	Length      int     // 100
	MaxSegments int     // 9: 1..9 segments
	MinHeight   float64 // 10
	MaxHeight   float64 // 99
	Sigma       float64 // 10
	Seed        uint64
}

// DefaultData is the configuration of the experiment (10,000 signals).
var DefaultData = DataConfig{Count: 10000, Length: 100, MaxSegments: 9, MinHeight: 10, MaxHeight: 99, Sigma: 10, Seed: 1}

// Generate draws the signals; the same config always gives the same data.
func Generate(c DataConfig) *Signals {
	rng := rand.New(rand.NewPCG(c.Seed, 0x5eed))
	s := &Signals{Count: c.Count, Length: c.Length, Clean: make([]float32, c.Count*c.Length), Noisy: make([]float32, c.Count*c.Length)}
	for i := 0; i < c.Count; i++ {
		segs := 1 + rng.IntN(c.MaxSegments)
		// segs-1 distinct breakpoints in 1..Length-1.
		cuts := rng.Perm(c.Length - 1)[:segs-1]
		isCut := make([]bool, c.Length)
		for _, b := range cuts {
			isCut[b+1] = true
		}
		height := c.MinHeight + (c.MaxHeight-c.MinHeight)*rng.Float64()
		row := s.Clean[i*c.Length : (i+1)*c.Length]
		noisy := s.Noisy[i*c.Length : (i+1)*c.Length]
		for j := range row {
			if isCut[j] {
				height = c.MinHeight + (c.MaxHeight-c.MinHeight)*rng.Float64()
			}
			row[j] = float32(height)
			noisy[j] = float32(height + c.Sigma*rng.NormFloat64())
		}
	}
	return s
}

// Split returns the first n signals and the rest.
func (s *Signals) Split(n int) (*Signals, *Signals) {
	l := s.Length
	a := &Signals{Count: n, Length: l, Clean: s.Clean[:n*l], Noisy: s.Noisy[:n*l]}
	b := &Signals{Count: s.Count - n, Length: l, Clean: s.Clean[n*l:], Noisy: s.Noisy[n*l:]}
	return a, b
}

// Rows returns signals [lo, hi) as a new Signals sharing storage.
func (s *Signals) Rows(lo, hi int) *Signals {
	l := s.Length
	return &Signals{Count: hi - lo, Length: l, Clean: s.Clean[lo*l : hi*l], Noisy: s.Noisy[lo*l : hi*l]}
}

// NoisyMSE is the mean squared error of the noisy signals themselves.
func (s *Signals) NoisyMSE() float64 { return mse(s.Noisy, s.Clean) }

func mse(a, b []float32) float64 {
	t := 0.0
	for i := range a {
		d := float64(a[i]) - float64(b[i])
		t += d * d
	}
	return t / float64(len(a))
}

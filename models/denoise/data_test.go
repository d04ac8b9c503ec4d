package main

import (
	"math"
	"testing"
)

func TestGenerateIsPiecewiseConstantAndSeeded(t *testing.T) {
	c := DefaultData
	c.Count = 500
	s := Generate(c)
	again := Generate(c)
	for i := range s.Noisy {
		if s.Noisy[i] != again.Noisy[i] {
			t.Fatal("same seed gave different data")
		}
	}
	segHist := map[int]int{}
	for i := 0; i < s.Count; i++ {
		row := s.Clean[i*s.Length : (i+1)*s.Length]
		segs := 1
		for j := 1; j < len(row); j++ {
			if row[j] != row[j-1] {
				segs++
			}
		}
		if segs < 1 || segs > c.MaxSegments {
			t.Fatalf("signal %d has %d segments", i, segs)
		}
		segHist[segs]++
		for _, v := range row {
			if float64(v) < c.MinHeight || float64(v) >= c.MaxHeight {
				t.Fatalf("height %v outside [%v, %v)", v, c.MinHeight, c.MaxHeight)
			}
		}
	}
	if len(segHist) != c.MaxSegments {
		t.Fatalf("segment counts seen: %v", segHist)
	}
	// The noise has the configured standard deviation.
	if got := math.Sqrt(s.NoisyMSE()); math.Abs(got-c.Sigma) > 0.3 {
		t.Fatalf("noise σ = %v, want %v", got, c.Sigma)
	}
	tr, te := s.Split(400)
	if tr.Count != 400 || te.Count != 100 || &te.Clean[0] != &s.Clean[400*s.Length] {
		t.Fatal("split")
	}
}

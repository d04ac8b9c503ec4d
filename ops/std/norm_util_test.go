package std

import (
	"math"

	"github.com/optnet-go/optnet/runtime/tensor"
)

// Reference helpers of the normalisation family's tests: slow, obviously
// correct loops to compare the kernels with.

// refLines applies fn to every line of x along the middle axis of an
// outer × n × inner split of shape and returns the result (same layout).
// The line is gathered into a fresh slice, so fn may work in place.
func refLines(x []float64, outer, n, inner int, fn func(line []float64) []float64) []float64 {
	out := make([]float64, len(x))
	for o := 0; o < outer; o++ {
		for j := 0; j < inner; j++ {
			line := make([]float64, n)
			for i := 0; i < n; i++ {
				line[i] = x[(o*n+i)*inner+j]
			}
			r := fn(line)
			for i := 0; i < n; i++ {
				out[(o*n+i)*inner+j] = r[i]
			}
		}
	}
	return out
}

// refSplit returns outer, n, inner for normalising along axis a, or along
// the flattened tail from a when flat.
func refSplit(shape []int, a int, flat bool) (outer, n, inner int) {
	outer, n, inner = 1, 1, 1
	for i, d := range shape {
		switch {
		case i < a:
			outer *= d
		case i == a || flat:
			n *= d
		default:
			inner *= d
		}
	}
	return
}

func refSoftmax(line []float64) []float64 {
	m := math.Inf(-1)
	for _, v := range line {
		m = math.Max(m, v)
	}
	s := 0.0
	for _, v := range line {
		s += math.Exp(v - m)
	}
	out := make([]float64, len(line))
	for i, v := range line {
		out[i] = math.Exp(v-m) / s
	}
	return out
}

func refLogSoftmax(line []float64) []float64 {
	p := refSoftmax(line)
	for i := range p {
		p[i] = math.Log(p[i])
	}
	return p
}

// f64 wraps values as a float64 tensor.
func f64(shape []int, v []float64) *tensor.Tensor { return tensor.MustFromSlice(shape, v) }

// seq returns n float64 values a, a+step, ...
func seq(n int, a, step float64) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = a + float64(i)*step
	}
	return v
}

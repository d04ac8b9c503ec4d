package std

import (
	"math/rand"

	"github.com/optnet-go/optnet/runtime/tensor"
)

// Test helpers of the dense compute ops.

// nnRandF32 returns a float32 tensor with entries uniform in [lo, hi).
func nnRandF32(rng *rand.Rand, lo, hi float64, shape ...int) *tensor.Tensor {
	t := tensor.Make[float32](shape...)
	d := tensor.Data[float32](t)
	for i := range d {
		d[i] = float32(lo + (hi-lo)*rng.Float64())
	}
	return t
}

// nnF64s returns a tensor's values as float64s (it must be numeric).
func nnF64s(t *tensor.Tensor) []float64 {
	v, err := tensor.Float64s(t)
	if err != nil {
		panic(err)
	}
	return v
}

// nnF64Tensor wraps float64 values.
func nnF64Tensor(shape []int, v []float64) *tensor.Tensor { return tensor.MustFromSlice(shape, v) }

// nnCast converts a tensor for tests, panicking on failure.
func nnCast(t *tensor.Tensor, dt tensor.DType) *tensor.Tensor {
	c, err := tensor.Convert(t, dt)
	if err != nil {
		panic(err)
	}
	return c
}

// nnUnravelIdx returns the multi-index of flat position pos in shape.
func nnUnravelIdx(pos int, shape []int) []int {
	idx := make([]int, len(shape))
	for d := len(shape) - 1; d >= 0; d-- {
		idx[d] = pos % shape[d]
		pos /= shape[d]
	}
	return idx
}

// nnRavelIdx returns the flat position of idx in shape.
func nnRavelIdx(idx, shape []int) int {
	p := 0
	for d := range shape {
		p = p*shape[d] + idx[d]
	}
	return p
}

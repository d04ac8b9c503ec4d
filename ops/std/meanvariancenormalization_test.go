package std

import (
	"errors"
	"math"
	"math/rand"
	"testing"

	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestMVN(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	shape := []int{2, 3, 2, 2}
	x := randF64(rng, -2, 2, shape...)
	xd := tensor.Data[float64](x)
	// Default axes [0, 2, 3]: statistics per channel.
	want := make([]float64, len(xd))
	for c := 0; c < 3; c++ {
		var idx []int
		for n := 0; n < 2; n++ {
			for s := 0; s < 4; s++ {
				idx = append(idx, (n*3+c)*4+s)
			}
		}
		mu, va := 0.0, 0.0
		for _, i := range idx {
			mu += xd[i]
		}
		mu /= float64(len(idx))
		for _, i := range idx {
			va += (xd[i] - mu) * (xd[i] - mu)
		}
		va /= float64(len(idx))
		for _, i := range idx {
			want[i] = (xd[i] - mu) / (math.Sqrt(va) + 1e-9)
		}
	}
	assertClose(t, runOp(t, "MeanVarianceNormalization", 13, nil, 1, x)[0], normF64(shape, want), 1e-12, 1e-12)
	x32, _ := tensor.Convert(x, tensor.Float32)
	assertClose(t, runOp(t, "MeanVarianceNormalization", 9, nil, 1, x32)[0], normF64(shape, want), 1e-5, 1e-5)

	// Axes [-1] on a 2-D input: per row.
	r := randF64(rng, -2, 2, 3, 5)
	wantR := refLines(tensor.Data[float64](r), 3, 5, 1, func(line []float64) []float64 {
		mu, va := 0.0, 0.0
		for _, v := range line {
			mu += v
		}
		mu /= 5
		for _, v := range line {
			va += (v - mu) * (v - mu)
		}
		out := make([]float64, 5)
		for i, v := range line {
			out[i] = (v - mu) / (math.Sqrt(va/5) + 1e-9)
		}
		return out
	})
	assertClose(t, runOp(t, "MeanVarianceNormalization", 13, attrsOf(attrInts("axes", -1)), 1, r)[0], normF64([]int{3, 5}, wantR), 1e-12, 1e-12)

	if err := runOpErr("MeanVarianceNormalization", 13, nil, 1, randF64(rng, 0, 1, 2, 3)); !errors.Is(err, tensor.ErrShape) {
		t.Errorf("default axes on rank 2: %v", err)
	}
	if err := runOpErr("MeanVarianceNormalization", 13, attrsOf(attrInts("axes", 1, -1)), 1, randF64(rng, 0, 1, 2, 3)); !errors.Is(err, tensor.ErrShape) {
		t.Errorf("repeated axis: %v", err)
	}
	if err := runOpErr("MeanVarianceNormalization", 13, attrsOf(attrInts("axes", 0)), 1, tensor.Make[int32](2)); !errors.Is(err, tensor.ErrDType) {
		t.Errorf("int input: %v", err)
	}
}

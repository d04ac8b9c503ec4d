package std

import (
	"errors"
	"math/rand"
	"testing"

	"github.com/optnet-go/optnet/runtime/tensor"
)

// refDet expands the determinant along the first row (Laplace).
func refDet(a []float64, n int) float64 {
	if n == 0 {
		return 1
	}
	if n == 1 {
		return a[0]
	}
	det, sign := 0.0, 1.0
	for c := 0; c < n; c++ {
		minor := make([]float64, 0, (n-1)*(n-1))
		for r := 1; r < n; r++ {
			for j := 0; j < n; j++ {
				if j != c {
					minor = append(minor, a[r*n+j])
				}
			}
		}
		det += sign * a[c] * refDet(minor, n-1)
		sign = -sign
	}
	return det
}

func TestDet(t *testing.T) {
	rng := rand.New(rand.NewSource(23))
	for _, shape := range [][]int{{1, 1}, {2, 2}, {3, 3}, {2, 3, 4, 4}, {5, 5}, {0, 3, 3}} {
		x := randF64(rng, -2, 2, shape...)
		n := shape[len(shape)-1]
		xd := nnF64s(x)
		batch := shape[:len(shape)-2]
		want := make([]float64, nnProd(batch))
		for b := range want {
			want[b] = refDet(xd[b*n*n:(b+1)*n*n], n)
		}
		assertClose(t, runOp(t, "Det", 11, nil, 1, x)[0], nnF64Tensor(batch, want), 1e-10, 1e-12)
		assertClose(t, runOp(t, "Det", 11, nil, 1, nnCast(x, tensor.Float32))[0], nnF64Tensor(batch, want), 1e-4, 1e-5)
	}
	// Singular, and one needing a row swap.
	assertClose(t, runOp(t, "Det", 11, nil, 1, tensor.MustFromSlice([]int{2, 2}, []float32{1, 2, 2, 4}))[0], tensor.Scalar(float32(0)), 0, 0)
	assertClose(t, runOp(t, "Det", 11, nil, 1, tensor.MustFromSlice([]int{2, 2}, []float32{0, 1, 1, 0}))[0], tensor.Scalar(float32(-1)), 0, 0)
	for _, x := range []*tensor.Tensor{tensor.Make[float32](2, 3), tensor.Make[float32](3)} {
		if err := runOpErr("Det", 11, nil, 1, x); !errors.Is(err, tensor.ErrShape) {
			t.Errorf("%v: %v", x, err)
		}
	}
	if err := runOpErr("Det", 11, nil, 1, tensor.Make[int32](2, 2)); !errors.Is(err, tensor.ErrDType) {
		t.Errorf("int32: %v", err)
	}
}

package std

import (
	"context"
	"testing"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestReduceMaxGradient(t *testing.T) {
	reduceGradCases(t, "ReduceMax", 13, -1, 1)
}

// On ties the first maximum in row-major order gets the whole gradient.
func TestReduceMaxGradientTies(t *testing.T) {
	for _, op := range []string{"ReduceMax", "ReduceMin"} {
		x := tensor.MustFromSlice([]int{2, 3}, []float64{3, 1, 3, -2, 5, -2})
		if op == "ReduceMin" {
			x = tensor.MustFromSlice([]int{2, 3}, []float64{-3, 1, -3, 2, -5, 2})
		}
		in := []*tensor.Tensor{x}
		n := opNode(op, in, 1, attrInts("axes", 1))
		f, k, err := runtime.RunNode(context.Background(), testRegistry(), n, 13, in, runtime.RunOptions{})
		if err != nil {
			t.Fatal(err)
		}
		g := tensor.MustFromSlice([]int{2, 1}, []float64{10, 20})
		grads, err := runtime.BackwardNode(context.Background(), k, f, []*tensor.Tensor{g}, nil, runtime.RunOptions{})
		if err != nil {
			t.Fatal(err)
		}
		want := tensor.MustFromSlice([]int{2, 3}, []float64{10, 0, 0, 0, 20, 0})
		assertClose(t, grads[0], want, 0, 0)
	}
}

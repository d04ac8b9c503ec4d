package std

import (
	"math"
	"testing"

	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestMin(t *testing.T) {
	ewCheckVariadic(t, "Min", func(v []float64) float64 {
		m := v[0]
		for _, x := range v[1:] {
			m = math.Min(m, x)
		}
		return m
	})
	got := tensor.Data[uint64](runOp(t, "Min", 13, nil, 1, tensor.MustFromSlice([]int{2}, []uint64{math.MaxUint64, 3}), tensor.Scalar(uint64(5)))[0])
	if got[0] != 5 || got[1] != 3 {
		t.Fatalf("uint64: %v", got)
	}
	i := tensor.Data[int64](runOp(t, "Min", 13, nil, 1, tensor.Scalar(int64(math.MinInt64+1)), tensor.Scalar(int64(math.MinInt64)))[0])
	if i[0] != math.MinInt64 {
		t.Fatalf("int64: %v", i)
	}
	n := tensor.Data[float32](runOp(t, "Min", 13, nil, 1, tensor.MustFromSlice([]int{2}, []float32{float32(math.NaN()), 1}), tensor.Scalar(float32(2)))[0])
	if !math.IsNaN(float64(n[0])) || n[1] != 1 {
		t.Fatalf("NaN propagation: %v", n)
	}
	ewExpectErr(t, "string", runOpErr("Min", 13, nil, 1, tensor.Scalar("a"), tensor.Scalar("b")), tensor.ErrDType)
}

func TestMinGradient(t *testing.T) { ewGradVariadic(t, "Min") }

func TestMinGradientTies(t *testing.T) {
	// On a tie the first input gets the whole gradient; the broadcast
	// scalar collects the gradient of every element it wins.
	a := tensor.MustFromSlice([]int{3}, []float64{1, 5, 2})
	b := tensor.MustFromSlice([]int{3}, []float64{1, 4, 3})
	c := tensor.Scalar(2.0)
	ewCheckSelectGrad(t, "Min", []*tensor.Tensor{a, b, c}, [][]float64{{1, 0, 1}, {0, 0, 0}, {1}})
}

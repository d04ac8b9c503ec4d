package std

import (
	"math"
	"testing"

	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestMax(t *testing.T) {
	ewCheckVariadic(t, "Max", func(v []float64) float64 {
		m := v[0]
		for _, x := range v[1:] {
			m = math.Max(m, x)
		}
		return m
	})
	got := tensor.Data[uint64](runOp(t, "Max", 13, nil, 1, tensor.MustFromSlice([]int{2}, []uint64{math.MaxUint64, 3}), tensor.Scalar(uint64(5)))[0])
	if got[0] != math.MaxUint64 || got[1] != 5 {
		t.Fatalf("uint64: %v", got)
	}
	i := tensor.Data[int64](runOp(t, "Max", 13, nil, 1, tensor.Scalar(int64(math.MaxInt64-1)), tensor.Scalar(int64(math.MaxInt64)))[0])
	if i[0] != math.MaxInt64 {
		t.Fatalf("int64: %v", i)
	}
	n := tensor.Data[float32](runOp(t, "Max", 13, nil, 1, tensor.MustFromSlice([]int{2}, []float32{float32(math.NaN()), 1}), tensor.Scalar(float32(2)))[0])
	if !math.IsNaN(float64(n[0])) || n[1] != 2 {
		t.Fatalf("NaN propagation: %v", n)
	}
	ewExpectErr(t, "bool", runOpErr("Max", 13, nil, 1, tensor.Scalar(true), tensor.Scalar(false)), tensor.ErrDType)
}

func TestMaxGradient(t *testing.T) { ewGradVariadic(t, "Max") }

func TestMaxGradientTies(t *testing.T) {
	// On a tie the first input gets the whole gradient.
	a := tensor.MustFromSlice([]int{3}, []float64{1, 5, 2})
	b := tensor.MustFromSlice([]int{3}, []float64{1, 4, 3})
	c := tensor.Scalar(0.5)
	ewCheckSelectGrad(t, "Max", []*tensor.Tensor{a, b, c}, [][]float64{{1, 1, 0}, {0, 0, 1}, {0}})
}

// ewCheckSelectGrad runs op forward and backward with an all-ones upstream
// gradient and compares each input's gradient with want.
func ewCheckSelectGrad(t *testing.T, op string, in []*tensor.Tensor, want [][]float64) {
	t.Helper()
	f, k, err := runtimeRunNode(t, op, in)
	if err != nil {
		t.Fatal(err)
	}
	g := ewMapRef(f.Outputs[0], func(float64) float64 { return 1 })
	gs, err := runtimeBackward(t, k, f, g)
	if err != nil {
		t.Fatal(err)
	}
	for i := range want {
		d := tensor.Data[float64](gs[i])
		for j := range want[i] {
			if d[j] != want[i][j] {
				t.Fatalf("input %d: gradient %v, want %v", i, d, want[i])
			}
		}
	}
}

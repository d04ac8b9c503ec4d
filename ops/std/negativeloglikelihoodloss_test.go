package std

import (
	"errors"
	"math"
	"math/rand"
	"testing"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// refNLL computes the loss of log-probabilities lp (N, C, D) for targets
// (N, D) the slow way; weight may be nil, ignore < -1000 means none.
func refNLL(lp []float64, n, c, d int, target []int64, weight []float64, ignore int64, reduction string) []float64 {
	loss := make([]float64, n*d)
	wsum := 0.0
	for i := 0; i < n; i++ {
		for j := 0; j < d; j++ {
			t := target[i*d+j]
			if t == ignore {
				continue
			}
			w := 1.0
			if weight != nil {
				w = weight[t]
			}
			loss[i*d+j] = -lp[(i*c+int(t))*d+j] * w
			wsum += w
		}
	}
	switch reduction {
	case "sum", "mean":
		s := 0.0
		for _, v := range loss {
			s += v
		}
		if reduction == "mean" {
			s /= wsum
		}
		return []float64{s}
	}
	return loss
}

// lossCase is random input for the loss ops: scores (N, C, dims...),
// labels with some set to ignore, weights.
func lossCase(rng *rand.Rand, ignore int64, n, c int, dims ...int) (x, target, weight *tensor.Tensor) {
	x = randF64(rng, -2, 2, append([]int{n, c}, dims...)...)
	tshape := append([]int{n}, dims...)
	tv := make([]int64, tensor.NumElements(tshape))
	for i := range tv {
		tv[i] = int64(rng.Intn(c))
		if i%4 == 1 {
			tv[i] = ignore
		}
	}
	target = tensor.MustFromSlice(tshape, tv)
	weight = randF64(rng, 0.2, 1, c)
	return
}

func TestNLLLoss(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for _, dims := range [][]int{nil, {3}, {2, 3}} {
		for _, ignore := range []int64{-1, 2} {
			x, target, weight := lossCase(rng, ignore, 3, 4, dims...)
			d := tensor.NumElements(dims)
			for _, red := range []string{"none", "sum", "mean"} {
				for _, w := range []*tensor.Tensor{nil, weight} {
					var wv []float64
					if w != nil {
						wv = tensor.Data[float64](w)
					}
					want := refNLL(tensor.Data[float64](x), 3, 4, d, tensor.Data[int64](target), wv, ignore, red)
					wshape := []int{}
					if red == "none" {
						wshape = target.Shape()
					}
					attrs := attrsOf(attrString("reduction", red), attrInt("ignore_index", ignore))
					in := []*tensor.Tensor{x, target}
					if w != nil {
						in = append(in, w)
					}
					got := runOp(t, "NegativeLogLikelihoodLoss", 13, attrs, 1, in...)[0]
					assertClose(t, got, normF64(wshape, want), 1e-12, 1e-12)
				}
			}
		}
	}
	// int32 targets, float32 input, no ignore_index, default mean.
	x := tensor.MustFromSlice([]int{2, 3}, []float32{-1, -2, -3, -4, -5, -6})
	tg := tensor.MustFromSlice([]int{2}, []int32{2, 0})
	got := runOp(t, "NegativeLogLikelihoodLoss", 12, nil, 1, x, tg)[0]
	assertClose(t, got, tensor.Scalar(3.5), 0, 1e-6)
	// Every element ignored: mean is 0/0.
	all := tensor.MustFromSlice([]int{2}, []int64{1, 1})
	got = runOp(t, "NegativeLogLikelihoodLoss", 13, attrsOf(attrInt("ignore_index", 1)), 1, x, all)[0]
	if v := tensor.Data[float32](got)[0]; !math.IsNaN(float64(v)) {
		t.Fatalf("mean over no elements: %v", v)
	}
}

func TestNLLLossErrors(t *testing.T) {
	x := tensor.Make[float32](2, 3, 4)
	tg := tensor.Make[int64](2, 4)
	cases := []struct {
		name  string
		attrs []runtime.Attribute
		in    []*tensor.Tensor
		want  error
	}{
		{"target out of range", nil, []*tensor.Tensor{x, tensor.MustFromSlice([]int{2, 4}, []int64{0, 1, 2, 3, 0, 0, 0, 0})}, tensor.ErrShape},
		{"negative target", nil, []*tensor.Tensor{x, tensor.MustFromSlice([]int{2, 4}, []int64{0, 1, 2, -1, 0, 0, 0, 0})}, tensor.ErrShape},
		{"target shape", nil, []*tensor.Tensor{x, tensor.Make[int64](2, 3)}, tensor.ErrShape},
		{"target dtype", nil, []*tensor.Tensor{x, tensor.Make[float32](2, 4)}, tensor.ErrDType},
		{"weight shape", nil, []*tensor.Tensor{x, tg, tensor.Make[float32](4)}, tensor.ErrShape},
		{"weight dtype", nil, []*tensor.Tensor{x, tg, tensor.Make[float64](3)}, tensor.ErrDType},
		{"rank 1", nil, []*tensor.Tensor{tensor.Make[float32](3), tensor.Make[int64](3)}, tensor.ErrShape},
		{"int input", nil, []*tensor.Tensor{tensor.Make[int32](2, 3), tensor.Make[int64](2)}, tensor.ErrDType},
		{"reduction", attrsOf(attrString("reduction", "max")), []*tensor.Tensor{x, tg}, runtime.ErrInvalidGraph},
	}
	for _, op := range []string{"NegativeLogLikelihoodLoss", "SoftmaxCrossEntropyLoss"} {
		for _, c := range cases {
			if err := runOpErr(op, 13, c.attrs, 1, c.in...); !errors.Is(err, c.want) {
				t.Errorf("%s %s: got %v, want %v", op, c.name, err, c.want)
			}
		}
	}
}

func TestNLLLossGradient(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	for _, red := range []string{"none", "sum", "mean"} {
		x, target, weight := lossCase(rng, 1, 3, 4, 2)
		attrs := attrsOf(attrString("reduction", red), attrInt("ignore_index", 1))
		gradCheck(t, "NegativeLogLikelihoodLoss", 13, attrs, []*tensor.Tensor{x, target, weight}, 0, 2)
		gradCheck(t, "NegativeLogLikelihoodLoss", 13, attrsOf(attrString("reduction", red)), []*tensor.Tensor{x, target}, 0)
	}
}

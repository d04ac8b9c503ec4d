package std

import (
	"math/rand"
	"testing"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestSoftmaxCrossEntropyLoss(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	for _, dims := range [][]int{nil, {3}, {2, 1, 2}} {
		x, target, weight := lossCase(rng, -5, 2, 4, dims...)
		d := tensor.NumElements(dims)
		lp := refLines(tensor.Data[float64](x), 2, 4, d, refLogSoftmax)
		for _, red := range []string{"none", "sum", "mean"} {
			for _, w := range []*tensor.Tensor{nil, weight} {
				var wv []float64
				in := []*tensor.Tensor{x, target}
				if w != nil {
					wv = tensor.Data[float64](w)
					in = append(in, w)
				}
				want := refNLL(lp, 2, 4, d, tensor.Data[int64](target), wv, -5, red)
				wshape := []int{}
				if red == "none" {
					wshape = target.Shape()
				}
				out := runOp(t, "SoftmaxCrossEntropyLoss", 13, attrsOf(attrString("reduction", red), attrInt("ignore_index", -5)), 2, in...)
				assertClose(t, out[0], normF64(wshape, want), 1e-12, 1e-12)
				assertClose(t, out[1], normF64(x.Shape(), lp), 1e-12, 1e-12)
			}
		}
	}
	// float32 scores, default mean, no ignore_index.
	x := tensor.MustFromSlice([]int{1, 3}, []float32{1, 2, 3})
	got := runOp(t, "SoftmaxCrossEntropyLoss", 12, nil, 1, x, tensor.MustFromSlice([]int{1}, []int32{0}))[0]
	assertClose(t, got, tensor.Scalar(-refLogSoftmax([]float64{1, 2, 3})[0]), 1e-6, 1e-6)
}

func TestSoftmaxCrossEntropyLossGradient(t *testing.T) {
	rng := rand.New(rand.NewSource(4))
	for _, red := range []string{"none", "sum", "mean"} {
		x, target, weight := lossCase(rng, 0, 3, 4, 2)
		attrs := attrsOf(attrString("reduction", red), attrInt("ignore_index", 0))
		gradCheck(t, "SoftmaxCrossEntropyLoss", 13, attrs, []*tensor.Tensor{x, target, weight}, 0, 2)
		gradCheck(t, "SoftmaxCrossEntropyLoss", 13, attrsOf(attrString("reduction", red)), []*tensor.Tensor{x, target}, 0)
		// With log_prob reaching the loss as well.
		gradCheckOuts(t, "SoftmaxCrossEntropyLoss", 13, attrs, 2, runtime.RunOptions{}, []*tensor.Tensor{x, target, weight}, 0, 2)
	}
	// (N, C) scores.
	x, target, weight := lossCase(rng, -1, 5, 3)
	gradCheck(t, "SoftmaxCrossEntropyLoss", 13, attrsOf(attrInt("ignore_index", -1)), []*tensor.Tensor{x, target, weight}, 0)
}

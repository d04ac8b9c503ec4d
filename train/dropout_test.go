package train

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/optnet-go/optnet"
	"github.com/optnet-go/optnet/onnxbuild"
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// TestDropoutSeededUnbiased checks Dropout (ratio 0.3, opset 13) in a
// training run: the mask is a function of the run's seed, about 30% of
// the elements are dropped, the kept ones are scaled by 1/0.7 so that
// E[y] = x, and the backward pass uses the forward's mask.
func TestDropoutSeededUnbiased(t *testing.T) {
	const n, d = 200, 50
	ratio := float64(float32(0.3)) // the model holds a float32 ratio
	rng := rand.New(rand.NewPCG(1, 2))
	xv := make([]float64, n*d)
	for i := range xv {
		xv[i] = 1 + rng.Float64() // nonzero, so a zero output means dropped
	}
	wv := make([]float64, d)
	for i := range wv {
		wv[i] = 0.5 + rng.Float64()
	}
	b := onnxbuild.New("dropout", map[string]int64{"": 13})
	x := b.Input("x", tensor.Float64, n, d)
	w := b.Initializer("w", tensor.MustFromSlice([]int{d}, wv))
	r := b.Node("Constant", nil, nil, onnxbuild.Tensor("value", tensor.Scalar(float32(0.3))))
	xw := b.Node("Mul", []string{x, w}, nil)
	b.Node("Dropout", []string{xw, r}, []string{"y"})
	b.Output("y", tensor.Float64, n, d)
	m := load(t, b)
	model, err := runtime.Compile(m.Graph, optnet.DefaultRegistry(), runtime.Options{Variables: []string{"w"}})
	if err != nil {
		t.Fatal(err)
	}
	gp, err := model.Differentiate([]string{"y"}, []string{"w"})
	if err != nil {
		t.Fatal(err)
	}
	in := map[string]*tensor.Tensor{"x": tensor.MustFromSlice([]int{n, d}, xv), "w": tensor.MustFromSlice([]int{d}, wv)}
	ctx := context.Background()
	run := func(seed uint64, training bool) ([]float64, []float64) {
		out, tape, err := gp.Forward(ctx, in, runtime.RunOptions{Training: training, Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		ones := make([]float64, n*d)
		for i := range ones {
			ones[i] = 1
		}
		g, err := tape.Backward(ctx, map[string]*tensor.Tensor{"y": tensor.MustFromSlice([]int{n, d}, ones)})
		if err != nil {
			t.Fatal(err)
		}
		return tensor.Data[float64](out["y"]), tensor.Data[float64](g["w"])
	}
	y1, g1 := run(5, true)
	y2, _ := run(5, true)
	y3, _ := run(6, true)
	same, differ := true, 0
	for i := range y1 {
		same = same && y1[i] == y2[i]
		if (y1[i] == 0) != (y3[i] == 0) {
			differ++
		}
	}
	if !same {
		t.Error("the same seed gave different masks")
	}
	if differ < n*d/10 {
		t.Errorf("seeds 5 and 6 gave masks that differ in %d of %d elements", differ, n*d)
	}
	// Dropped fraction and unbiasedness: within 5 standard deviations.
	dropped, ratioSum := 0, 0.0
	gw := make([]float64, d)
	for i, v := range y1 {
		xw := xv[i] * wv[i%d]
		if v == 0 {
			dropped++
			continue
		}
		if math.Abs(v-xw/(1-ratio)) > 1e-12*xw {
			t.Fatalf("kept element %d is %v, want x·w/(1−ratio) = %v", i, v, xw/(1-ratio))
		}
		ratioSum += v / xw
		gw[i%d] += xv[i] / (1 - ratio) // d y_i / d w for a kept element
	}
	sd := math.Sqrt(ratio * (1 - ratio) / (n * d))
	if frac := float64(dropped) / (n * d); math.Abs(frac-ratio) > 5*sd {
		t.Errorf("dropped fraction %v, want %v ± %v", frac, ratio, 5*sd)
	}
	if mean := ratioSum / (n * d); math.Abs(mean-1) > 5*sd/(1-ratio) {
		t.Errorf("E[y/x] = %v, want 1 ± %v", mean, 5*sd/(1-ratio))
	}
	for j := range gw {
		if math.Abs(g1[j]-gw[j]) > 1e-9*math.Abs(gw[j]) {
			t.Fatalf("gradient of w[%d] = %v, want %v (the forward's mask)", j, g1[j], gw[j])
		}
	}
	// Inference passes the input through.
	y0, _ := run(5, false)
	for i, v := range y0 {
		if v != xv[i]*wv[i%d] {
			t.Fatalf("inference output %d is %v, want %v", i, v, xv[i]*wv[i%d])
		}
	}

	// Trainer: Options.Seed makes training with dropout reproducible, and
	// each step draws a new mask.
	train := func(seed uint64) (*Trainer, []float64) {
		tr, err := New(m, Options{Loss: MSE{}, Optimizer: &SGD{}, LR: 0.01, Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		target := tensor.MustFromSlice([]int{n, d}, make([]float64, n*d))
		var losses []float64
		for s := 0; s < 3; s++ {
			l, err := tr.Step(ctx, Batch{Inputs: map[string]*tensor.Tensor{"x": in["x"]}, Target: target})
			if err != nil {
				t.Fatal(err)
			}
			losses = append(losses, l)
		}
		return tr, losses
	}
	ta, la := train(1)
	tb, lb := train(1)
	tc, _ := train(2)
	if e, _ := relErr(ta.Value("w"), tb.Value("w"), 0); e != 0 || la[2] != lb[2] {
		t.Error("two trainings with the same seed differ")
	}
	if e, _ := relErr(ta.Value("w"), tc.Value("w"), 0); e == 0 {
		t.Error("trainings with seeds 1 and 2 agree: the seed is not used")
	}
	if la[0] == la[1] && la[1] == la[2] {
		t.Error("the loss did not change between steps")
	}
}

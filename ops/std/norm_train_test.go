package std

import (
	"context"
	"math"
	"math/rand"
	"testing"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// TestNormFamilyTrainingGraph differentiates a compiled graph
// loss = SoftmaxCrossEntropyLoss(Dropout(BatchNormalization(x)), labels)
// in a training run, checks the gradients by finite differences (the run
// seed fixes the dropout mask) and checks the running statistics the
// runtime collects through runtime.StateUpdater.
func TestNormFamilyTrainingGraph(t *testing.T) {
	rng := rand.New(rand.NewSource(11))
	const n, c, d = 4, 3, 2
	x := randF64(rng, -2, 2, n, c, d)
	labels := tensor.MustFromSlice([]int{n, d}, []int64{0, 1, 2, 0, 1, 1, 2, 2})
	init := map[string]*tensor.Tensor{
		"scale": randF64(rng, 0.5, 1.5, c), "bias": randF64(rng, -1, 1, c),
		"mean": randF64(rng, -0.5, 0.5, c), "var": randF64(rng, 0.5, 2, c),
		"ratio": tensor.Scalar(0.3),
	}
	g := &runtime.Graph{
		Inputs:       []runtime.ValueInfo{{Name: "x", DType: tensor.Float64}, {Name: "labels", DType: tensor.Int64}},
		Outputs:      []runtime.ValueInfo{{Name: "loss"}},
		Initializers: init,
		Opsets:       map[string]int{"": 17},
		Nodes: []*runtime.Node{
			{OpType: "BatchNormalization", Inputs: []string{"x", "scale", "bias", "mean", "var"}, Outputs: []string{"bn"}, Attrs: attrsOf(attrFloat("momentum", 0.8))},
			{OpType: "Dropout", Inputs: []string{"bn", "ratio"}, Outputs: []string{"dr"}},
			{OpType: "SoftmaxCrossEntropyLoss", Inputs: []string{"dr", "labels"}, Outputs: []string{"loss"}},
		},
	}
	vars := []string{"scale", "bias", "mean", "var"}
	m, err := runtime.Compile(g, testRegistry(), runtime.Options{Variables: vars})
	if err != nil {
		t.Fatal(err)
	}
	gp, err := m.Differentiate([]string{"loss"}, []string{"x", "scale", "bias"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	opts := runtime.RunOptions{Training: true, Seed: 5}
	run := func(vals map[string]*tensor.Tensor) float64 {
		out, err := m.RunWith(ctx, vals, opts)
		if err != nil {
			t.Fatal(err)
		}
		return tensor.Data[float64](out["loss"])[0]
	}
	inputs := map[string]*tensor.Tensor{"x": x, "labels": labels}
	out, tape, err := gp.Forward(ctx, inputs, opts)
	if err != nil {
		t.Fatal(err)
	}
	if l := tensor.Data[float64](out["loss"])[0]; math.Abs(l-run(inputs)) > 1e-12 {
		t.Fatalf("tape forward %v differs from a plain run %v", l, run(inputs))
	}
	// The tape releases its records during Backward: collect the state
	// updates first.
	upd := tape.UpdatedState()
	grads, err := tape.Backward(ctx, map[string]*tensor.Tensor{"loss": tensor.Scalar(1.0)})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"x", "scale", "bias"} {
		base := inputs[name]
		if base == nil {
			base = init[name]
		}
		gd := tensor.Data[float64](grads[name])
		for j := range tensor.Data[float64](base) {
			pert := func(h float64) float64 {
				p := base.Clone()
				tensor.Data[float64](p)[j] += h
				vals := map[string]*tensor.Tensor{"x": x, "labels": labels, name: p}
				return run(vals)
			}
			num := (pert(1e-6) - pert(-1e-6)) / 2e-6
			if math.Abs(num-gd[j]) > 1e-6*max(1, math.Abs(num)) {
				t.Errorf("d loss / d %s[%d]: backward %v, finite difference %v", name, j, gd[j], num)
			}
		}
	}
	// The running statistics, blended with momentum 0.8.
	_, bm, bv := refBatchNorm(tensor.Data[float64](x), []int{n, c, d}, tensor.Data[float64](init["scale"]), tensor.Data[float64](init["bias"]), nil, nil, 1e-5)
	mom := float64(float32(0.8))
	rm, rv := make([]float64, c), make([]float64, c)
	for i := range rm {
		rm[i] = tensor.Data[float64](init["mean"])[i]*mom + bm[i]*(1-mom)
		rv[i] = tensor.Data[float64](init["var"])[i]*mom + bv[i]*(1-mom)
	}
	if upd["mean"] == nil || upd["var"] == nil {
		t.Fatalf("no running statistics in %v", upd)
	}
	assertClose(t, upd["mean"], normF64([]int{c}, rm), 1e-12, 1e-12)
	assertClose(t, upd["var"], normF64([]int{c}, rv), 1e-12, 1e-12)
}

package train

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/optnet-go/optnet"
	"github.com/optnet-go/optnet/exporter"
	"github.com/optnet-go/optnet/importer"
	"github.com/optnet-go/optnet/onnxpb"
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
	"github.com/optnet-go/optnet/tensorpb"
)

// The PyTorch references in testdata/torch come from
// scripts/torch_grad_refs.py: each model was exported to ONNX in training
// mode without constant folding, and its .refs.pb holds the input, the
// upstream gradient, PyTorch's output and every parameter's gradient.
//
// Tolerance: the largest error of a tensor, relative to its largest
// reference magnitude, ‖got − want‖∞ / max(‖want‖∞, floor), must stay
// below rtol = 1e-6 for float64 models (1e-4 for float32: the mlp32
// model). The floor, 1e-6 times the largest reference gradient of the
// model, only matters for gradients that are zero in exact arithmetic
// (a convolution bias followed by BatchNorm in training mode), whose
// references are rounding noise.

var torchModels = []struct {
	name string
	rtol float64
}{
	{"mlp", 1e-6},
	{"mlp32", 1e-4},
	{"cnn", 1e-6},
	{"transformer13", 1e-6},
	{"transformer17", 1e-6},
	{"linqp", 1e-6},
	{"linqp_eq", 1e-6},
}

// loadRefs reads a .refs.pb file: an ONNX GraphProto whose initializers
// are the reference tensors.
func loadRefs(t *testing.T, name string) map[string]*tensor.Tensor {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "torch", name+".refs.pb"))
	if err != nil {
		t.Fatal(err)
	}
	var g onnxpb.GraphProto
	if err := proto.Unmarshal(b, &g); err != nil {
		t.Fatalf("%s.refs.pb: %v", name, err)
	}
	refs := map[string]*tensor.Tensor{}
	for _, tp := range g.Initializer {
		v, err := tensorpb.Decode(tp, 0)
		if err != nil {
			t.Fatalf("%s.refs.pb: %s: %v", name, tp.GetName(), err)
		}
		refs[tp.GetName()] = v
	}
	return refs
}

func loadTorchModel(t *testing.T, name string) *importer.Model {
	t.Helper()
	m, err := importer.Load(filepath.Join("testdata", "torch", name+".onnx"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// relErr returns ‖got − want‖∞ / max(‖want‖∞, floor) (the absolute error
// when both are zero), or an error when the shapes differ or got is not
// finite.
func relErr(got, want *tensor.Tensor, floor float64) (float64, error) {
	if got == nil {
		return 0, fmt.Errorf("missing")
	}
	if !tensor.SameShape(got.Shape(), want.Shape()) {
		return 0, fmt.Errorf("shape %v, want %v", got.Shape(), want.Shape())
	}
	g, err := tensor.Float64s(got)
	if err != nil {
		return 0, err
	}
	w, err := tensor.Float64s(want)
	if err != nil {
		return 0, err
	}
	scale, diff := floor, 0.0
	for i := range w {
		if math.IsNaN(g[i]) || math.IsInf(g[i], 0) {
			return 0, fmt.Errorf("element %d is %v", i, g[i])
		}
		scale = math.Max(scale, math.Abs(w[i]))
		diff = math.Max(diff, math.Abs(g[i]-w[i]))
	}
	if scale == 0 {
		return diff, nil
	}
	return diff / scale, nil
}

// floatInits returns the model's float initializers, sorted.
func floatInits(m *importer.Model) []string {
	var names []string
	for name, v := range m.Graph.Initializers {
		if v.DType().IsFloat() {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names
}

// torchGrads runs the model forward (training mode) and backward through
// optnet's runtime with the reference input and upstream gradient, and
// returns the output and the gradient of every parameter.
func torchGrads(t *testing.T, m *importer.Model, refs map[string]*tensor.Tensor, params []string) (*tensor.Tensor, map[string]*tensor.Tensor) {
	t.Helper()
	vars := floatInits(m)
	model, err := runtime.Compile(m.Graph, optnet.DefaultRegistry(), runtime.Options{Variables: vars})
	if err != nil {
		t.Fatal(err)
	}
	gp, err := model.Differentiate([]string{"y"}, params)
	if err != nil {
		t.Fatal(err)
	}
	in := map[string]*tensor.Tensor{"x": refs["in/x"]}
	for _, v := range vars {
		in[v] = m.Graph.Initializers[v]
	}
	ctx := context.Background()
	out, tape, err := gp.Forward(ctx, in, runtime.RunOptions{Training: true, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	grads, err := tape.Backward(ctx, map[string]*tensor.Tensor{"y": refs["seed/y"]})
	if err != nil {
		t.Fatal(err)
	}
	return out["y"], grads
}

// paramsOf lists the parameters that have a reference gradient.
func paramsOf(refs map[string]*tensor.Tensor) []string {
	var ps []string
	for k := range refs {
		if p, ok := strings.CutPrefix(k, "grad/"); ok {
			ps = append(ps, p)
		}
	}
	sort.Strings(ps)
	return ps
}

// compareRefs checks got[name] against refs[prefix+name] for each name,
// returning one line per mismatch.
func compareRefs(got map[string]*tensor.Tensor, refs map[string]*tensor.Tensor, prefix string, names []string, rtol, floor float64) []string {
	var bad []string
	for _, name := range names {
		e, err := relErr(got[name], refs[prefix+name], floor)
		switch {
		case err != nil:
			bad = append(bad, fmt.Sprintf("%s%s: %v", prefix, name, err))
		case !(e <= rtol):
			bad = append(bad, fmt.Sprintf("%s%s: relative error %.3g > %g", prefix, name, e, rtol))
		}
	}
	return bad
}

func TestTorchGradients(t *testing.T) {
	for _, tc := range torchModels {
		t.Run(tc.name, func(t *testing.T) {
			m := loadTorchModel(t, tc.name)
			refs := loadRefs(t, tc.name)
			params := paramsOf(refs)
			if len(params) == 0 {
				t.Fatal("no reference gradients")
			}
			y, grads := torchGrads(t, m, refs, params)
			floor := 0.0
			for _, p := range params {
				floor = math.Max(floor, 1e-6*maxAbs(refs["grad/"+p]))
			}
			bad := compareRefs(map[string]*tensor.Tensor{"y": y}, refs, "out/", []string{"y"}, tc.rtol, 0)
			bad = append(bad, compareRefs(grads, refs, "grad/", params, tc.rtol, floor)...)
			for _, b := range bad {
				t.Error(b)
			}
			worst := 0.0
			for _, p := range params {
				e, _ := relErr(grads[p], refs["grad/"+p], floor)
				worst = math.Max(worst, e)
			}
			t.Logf("%d parameters, worst relative gradient error %.2g", len(params), worst)

			// The comparison is sensitive: a reference perturbed by ten
			// times the tolerance at its largest element is rejected.
			for _, p := range params {
				want := refs["grad/"+p]
				bumped, err := tensor.Convert(want, tensor.Float64)
				if err != nil {
					t.Fatal(err)
				}
				bumped = bumped.Clone()
				d := tensor.Data[float64](bumped)
				at := 0
				for i, v := range d {
					if math.Abs(v) > math.Abs(d[at]) {
						at = i
					}
				}
				d[at] += 10 * tc.rtol * math.Max(math.Abs(d[at]), floor)
				if bad := compareRefs(grads, map[string]*tensor.Tensor{"grad/" + p: bumped}, "grad/", []string{p}, tc.rtol, floor); len(bad) == 0 {
					t.Errorf("a perturbed reference for %s was accepted", p)
				}
			}
		})
	}
}

// maxAbs returns ‖v‖∞.
func maxAbs(v *tensor.Tensor) float64 {
	f, _ := tensor.Float64s(v)
	m := 0.0
	for _, x := range f {
		m = math.Max(m, math.Abs(x))
	}
	return m
}

// TestTorchBatchNormTraining trains the CNN for a few SGD steps on
// cross-entropy with the Trainer, as scripts/torch_grad_refs.py did in
// PyTorch, and compares the losses, the parameters and the BatchNorm
// running statistics afterwards, then checks that Export writes the
// running statistics. PyTorch blends the unbiased batch variance into
// running_var, the ONNX spec the population variance, so running_var is
// compared with the spec's value the script computed (and with PyTorch's
// within the n/(n−1) factor).
func TestTorchBatchNormTraining(t *testing.T) {
	const rtol = 1e-6
	m := loadTorchModel(t, "cnn")
	refs := loadRefs(t, "cnn")
	lr := tensor.Data[float64](refs["steps/lr"])[0]
	tr, err := New(m, Options{Loss: CrossEntropy{}, Optimizer: &SGD{}, LR: lr})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range tr.Params() {
		if strings.Contains(p, "running") {
			t.Fatalf("BatchNorm state %s selected as a trainable parameter", p)
		}
	}
	ctx := context.Background()
	wantLoss := tensor.Data[float64](refs["steps/loss"])
	for k := range wantLoss {
		x, label := refs[fmt.Sprintf("steps/%d/x", k)], refs[fmt.Sprintf("steps/%d/label", k)]
		loss, err := tr.Step(ctx, Batch{Inputs: map[string]*tensor.Tensor{"x": x}, Target: label})
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(loss-wantLoss[k]) > rtol*math.Abs(wantLoss[k]) {
			t.Errorf("step %d: loss %v, PyTorch %v", k, loss, wantLoss[k])
		}
	}
	got := map[string]*tensor.Tensor{}
	var names []string
	for k := range refs {
		if p, ok := strings.CutPrefix(k, "steps/param/"); ok {
			names = append(names, p)
			got[p] = tr.Value(p)
		}
	}
	sort.Strings(names)
	for _, b := range compareRefs(got, refs, "steps/param/", names, rtol, 0) {
		t.Error(b)
	}
	state := map[string]*tensor.Tensor{"bn.running_mean": tr.Value("bn.running_mean"), "onnx_running_var": tr.Value("bn.running_var")}
	for _, b := range compareRefs(state, refs, "steps/", []string{"bn.running_mean", "onnx_running_var"}, rtol, 0) {
		t.Error(b)
	}
	if e, err := relErr(tr.Value("bn.running_var"), refs["steps/bn.running_var"], 0); err != nil || e > 1e-2 || e < 1e-6 {
		t.Errorf("running_var vs PyTorch's (unbiased): relative difference %v (%v), want a Bessel-factor-sized one", e, err)
	}
	// Export writes the trained parameters and the running statistics.
	path := filepath.Join(t.TempDir(), "cnn.onnx")
	if err := tr.Export(path, exporterOptions()); err != nil {
		t.Fatal(err)
	}
	m2, err := importer.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range append(names, "bn.running_mean", "bn.running_var") {
		if e, err := relErr(m2.Graph.Initializers[name], tr.Value(name), 0); err != nil || e != 0 {
			t.Errorf("exported %s differs from the trainer's (%v, %v)", name, e, err)
		}
	}
}

func exporterOptions() exporter.Options { return exporter.Options{} }

// TestTorchOptimizers runs a few Trainer steps on MSE with each optimizer
// configuration scripts/torch_grad_refs.py ran in PyTorch (Adam with a
// cosine schedule, Adam with L2 decay and clipping, AdamW, SGD with
// Nesterov momentum, weight decay, clipping and a step schedule), from the
// exported parameters, and compares the losses and the parameters after
// the steps: 1e-6 relative in float64 (mlp), 1e-4 in float32 (mlp32).
func TestTorchOptimizers(t *testing.T) {
	configs := map[string]func() Options{
		"adam": func() Options {
			return Options{Optimizer: &Adam{}, LR: 0.01, Schedule: Cosine(4, 0.1)}
		},
		"adam_l2_clip": func() Options {
			return Options{Optimizer: &Adam{WeightDecay: 0.05}, LR: 0.01, ClipNorm: 0.1}
		},
		"adamw": func() Options {
			return Options{Optimizer: &Adam{WeightDecay: 0.1, Decoupled: true}, LR: 0.01}
		},
		"sgd_nesterov_clip": func() Options {
			return Options{Optimizer: &SGD{Momentum: 0.9, Nesterov: true, WeightDecay: 0.01}, LR: 0.05, Schedule: StepDecay(2, 0.5), ClipNorm: 0.5}
		},
	}
	for _, model := range []struct {
		name string
		rtol float64
	}{{"mlp", 1e-6}, {"mlp32", 1e-4}} {
		m := loadTorchModel(t, model.name)
		refs := loadRefs(t, model.name)
		kinds := 0
		for kind, cfg := range configs {
			t.Run(model.name+"/"+kind, func(t *testing.T) {
				wantLoss := refs["opt/"+kind+"/loss"]
				if wantLoss == nil {
					t.Fatal("no reference")
				}
				kinds++
				opts := cfg()
				opts.Loss = MSE{}
				tr, err := New(m, opts)
				if err != nil {
					t.Fatal(err)
				}
				for k, want := range tensor.Data[float64](wantLoss) {
					b := Batch{Inputs: map[string]*tensor.Tensor{"x": refs[fmt.Sprintf("opt/data/%d/x", k)]}, Target: refs[fmt.Sprintf("opt/data/%d/t", k)]}
					loss, err := tr.Step(context.Background(), b)
					if err != nil {
						t.Fatal(err)
					}
					if math.Abs(loss-want) > model.rtol*math.Abs(want) {
						t.Errorf("step %d: loss %v, PyTorch %v", k, loss, want)
					}
				}
				got := map[string]*tensor.Tensor{}
				for _, p := range tr.Params() {
					got[p] = tr.Value(p)
				}
				for _, b := range compareRefs(got, refs, "opt/"+kind+"/param/", tr.Params(), model.rtol, 0) {
					t.Error(b)
				}
			})
		}
		if kinds != len(configs) {
			t.Errorf("%s: %d of %d optimizer references found", model.name, kinds, len(configs))
		}
	}
}

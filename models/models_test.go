package models_test

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/optnet-go/optnet"
	"github.com/optnet-go/optnet/internal/tensorio"
	"github.com/optnet-go/optnet/models"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// torchTolerance is the largest |optnet - PyTorch| accepted for the
// exported models (float32 throughout).
const torchTolerance = 1e-4

// maxAbsDiff compares got with the reference want: same dtype and shape,
// and the largest absolute difference (NaN anywhere is +Inf).
func maxAbsDiff(got, want *tensor.Tensor) (float64, error) {
	if got == nil {
		return 0, fmt.Errorf("output missing")
	}
	if got.DType() != want.DType() || !reflect.DeepEqual(got.Shape(), want.Shape()) {
		return 0, fmt.Errorf("got %v%v, want %v%v", got.DType(), got.Shape(), want.DType(), want.Shape())
	}
	g, err := tensor.Float64s(got)
	if err != nil {
		return 0, err
	}
	w, err := tensor.Float64s(want)
	if err != nil {
		return 0, err
	}
	worst := 0.0
	for i := range g {
		d := math.Abs(g[i] - w[i])
		if math.IsNaN(d) {
			return math.Inf(1), nil
		}
		worst = max(worst, d)
	}
	return worst, nil
}

// runAndCompare runs model bytes on inputs and checks every reference
// output; it fails the test on any load, run or accuracy problem.
func runAndCompare(t *testing.T, model []byte, inputs, ref map[string]*tensor.Tensor) {
	t.Helper()
	m, err := optnet.LoadBytes(model, optnet.Options{})
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	out, err := m.Run(context.Background(), inputs)
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	if len(ref) == 0 {
		t.Fatal("no reference outputs")
	}
	for name, want := range ref {
		d, err := maxAbsDiff(out[name], want)
		if err != nil {
			t.Fatalf("output %q: %v", name, err)
		}
		if d > torchTolerance {
			t.Errorf("output %q: max |optnet - PyTorch| = %.3g > %g", name, d, torchTolerance)
		} else {
			t.Logf("output %q: max |optnet - PyTorch| = %.3g", name, d)
		}
	}
}

// sampleShape is the shape of the default sample's signals.
var sampleShape = []int{8, 100}

func TestDefaultSample(t *testing.T) {
	s, err := models.DefaultSample()
	if err != nil {
		t.Fatal(err)
	}
	x := s.Inputs["noisy"]
	if x == nil || x.DType() != tensor.Float32 || !reflect.DeepEqual(x.Shape(), sampleShape) {
		t.Fatalf("sample input: %v", x)
	}
	for _, m := range []map[string]*tensor.Tensor{s.Reference, s.Target} {
		if y := m["denoised"]; y == nil || !reflect.DeepEqual(y.Shape(), sampleShape) {
			t.Fatalf("reference/target: %v", y)
		}
	}
	b, in := models.Default()
	if !reflect.DeepEqual(b, s.Model) || len(in) != 1 || in["noisy"] == nil {
		t.Fatal("Default disagrees with DefaultSample")
	}
	if len(b) < 1000 || b[0] != 0x08 { // ir_version, the first field
		t.Fatalf("model bytes look wrong: %d bytes starting %q", len(b), b[:min(len(b), 4)])
	}
}

// TestDefaultModelMatchesReference runs the built-in model as optrun
// does: its output must match the reference output within 1e-4 of the
// reference's largest magnitude (at least 1), and be closer to the clean
// signals than the noisy input.
func TestDefaultModelMatchesReference(t *testing.T) {
	s, err := models.DefaultSample()
	if err != nil {
		t.Fatal(err)
	}
	m, err := optnet.LoadBytes(s.Model, optnet.Options{})
	if err != nil {
		t.Fatal(err)
	}
	out, err := m.Run(context.Background(), s.Inputs)
	if err != nil {
		t.Fatal(err)
	}
	ref := s.Reference["denoised"]
	scale, err := maxAbsDiff(ref, tensor.MustFromSlice(ref.Shape(), make([]float32, ref.Len())))
	if err != nil {
		t.Fatal(err)
	}
	d, err := maxAbsDiff(out["denoised"], ref)
	if err != nil {
		t.Fatal(err)
	}
	if tol := 1e-4 * max(1, scale); d > tol {
		t.Errorf("max |optnet - reference| = %.3g > %.3g", d, tol)
	} else {
		t.Logf("max |optnet - reference| = %.3g (tolerance %.3g)", d, tol)
	}
	mse := func(a, b *tensor.Tensor) float64 {
		x, _ := tensor.Float64s(a)
		y, _ := tensor.Float64s(b)
		e := 0.0
		for i := range x {
			e += (x[i] - y[i]) * (x[i] - y[i])
		}
		return e / float64(len(x))
	}
	clean := s.Target["denoised"]
	if before, after := mse(s.Inputs["noisy"], clean), mse(out["denoised"], clean); !(after < before/3) {
		t.Errorf("MSE vs the clean signals: noisy %.4g, denoised %.4g", before, after)
	}
}

// TestPlotSignals draws the sample.
func TestPlotSignals(t *testing.T) {
	s, err := models.DefaultSample()
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "s.png")
	if err := models.PlotSignals(p, 4, models.Signals{Name: "noisy", T: s.Inputs["noisy"]}, models.Signals{Name: "clean", T: s.Target["denoised"]}); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(p); err != nil || st.Size() < 1000 {
		t.Fatalf("plot: %v", err)
	}
	if err := models.PlotSignals(p, 4, models.Signals{Name: "x", T: tensor.MustFromSlice([]int{3}, []float32{1, 2, 3})}); err == nil {
		t.Fatal("a rank-1 tensor was plotted")
	}
}

// TestTorchModels runs every model scripts/export_torch_models.py wrote
// (a CNN, an MLP and a transformer encoder layer, each at opsets 13 and
// 17) and compares with PyTorch's outputs. A model optnet cannot load or
// run fails the test: these are the foundation's "done" criterion.
func TestTorchModels(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "torch", "*", "model_opset*.onnx"))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	var names []string
	for _, f := range files {
		names = append(names, filepath.Base(filepath.Dir(f))+"/"+strings.TrimSuffix(filepath.Base(f), ".onnx"))
	}
	want := []string{
		"cnn/model_opset13", "cnn/model_opset17",
		"mlp/model_opset13", "mlp/model_opset17",
		"transformer/model_opset13", "transformer/model_opset17",
	}
	if !reflect.DeepEqual(names, want) {
		t.Fatalf("models found: %v, want %v", names, want)
	}
	for i, f := range files {
		t.Run(names[i], func(t *testing.T) {
			dir := filepath.Dir(f)
			x := readNPY(t, filepath.Join(dir, "input.npy"))
			y := readNPY(t, filepath.Join(dir, "output.npy"))
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			runAndCompare(t, b, map[string]*tensor.Tensor{"x": x}, map[string]*tensor.Tensor{"y": y})
		})
	}
}

func readNPY(t *testing.T, path string) *tensor.Tensor {
	t.Helper()
	m, err := tensorio.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return m[""]
}

// TestComparisonCatchesPerturbation: the check above must notice a
// reference perturbed just past the tolerance, a wrong shape, and NaN.
func TestComparisonCatchesPerturbation(t *testing.T) {
	ref := readNPY(t, filepath.Join("testdata", "torch", "mlp", "output.npy"))
	v := append([]float32(nil), tensor.Data[float32](ref)...)
	v[len(v)/2] += 2 * torchTolerance
	perturbed := tensor.MustFromSlice(ref.Shape(), v)
	if d, err := maxAbsDiff(perturbed, ref); err != nil || d <= torchTolerance {
		t.Errorf("perturbed by %g: diff %g, err %v; want a failure", 2*torchTolerance, d, err)
	}
	if d, err := maxAbsDiff(ref, ref); err != nil || d != 0 {
		t.Errorf("identical: diff %g, err %v", d, err)
	}
	flat, _ := ref.Reshape(ref.Len())
	if _, err := maxAbsDiff(flat, ref); err == nil {
		t.Error("shape mismatch not caught")
	}
	v[0] = float32(math.NaN())
	if d, _ := maxAbsDiff(tensor.MustFromSlice(ref.Shape(), v), ref); !math.IsInf(d, 1) {
		t.Error("NaN not caught")
	}
}

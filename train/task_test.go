package train

import (
	"context"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/optnet-go/optnet"
	"github.com/optnet-go/optnet/exporter"
	"github.com/optnet-go/optnet/importer"
	"github.com/optnet-go/optnet/onnxbuild"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// Training on small generated tasks: the loss must fall by a clear factor
// within a few hundred steps (each test runs in well under a second or
// two), and the trained model must survive export, onnx.checker and
// reloading unchanged.

// teacherData labels n points of R^d by the argmax of a fixed random
// two-layer network with c outputs: a nonlinear classification task.
func teacherData(seed uint64, n, d, c int) (x *tensor.Tensor, labels *tensor.Tensor) {
	rng := rand.New(rand.NewPCG(seed, 4))
	const hidden = 16
	w1 := make([]float64, hidden*d)
	w2 := make([]float64, c*hidden)
	for i := range w1 {
		w1[i] = rng.NormFloat64()
	}
	for i := range w2 {
		w2[i] = rng.NormFloat64()
	}
	xs := make([]float32, n*d)
	ls := make([]int64, n)
	h := make([]float64, hidden)
	for i := 0; i < n; i++ {
		for j := 0; j < d; j++ {
			xs[i*d+j] = float32(rng.NormFloat64())
		}
		for k := range h {
			s := 0.0
			for j := 0; j < d; j++ {
				s += w1[k*d+j] * float64(xs[i*d+j])
			}
			h[k] = math.Tanh(s)
		}
		best, arg := math.Inf(-1), 0
		for o := 0; o < c; o++ {
			s := 0.0
			for k := range h {
				s += w2[o*hidden+k] * h[k]
			}
			if s > best {
				best, arg = s, o
			}
		}
		ls[i] = int64(arg)
	}
	return tensor.MustFromSlice([]int{n, d}, xs), tensor.MustFromSlice([]int{n}, ls)
}

// rows returns rows [lo, hi) of a tensor (a copy).
func rows(t *tensor.Tensor, lo, hi int) *tensor.Tensor {
	shape := append([]int{hi - lo}, t.Shape()[1:]...)
	per := t.Len() / t.Dim(0)
	switch t.DType() {
	case tensor.Float32:
		return tensor.MustFromSlice(shape, append([]float32(nil), tensor.Data[float32](t)[lo*per:hi*per]...))
	case tensor.Float64:
		return tensor.MustFromSlice(shape, append([]float64(nil), tensor.Data[float64](t)[lo*per:hi*per]...))
	case tensor.Int64:
		return tensor.MustFromSlice(shape, append([]int64(nil), tensor.Data[int64](t)[lo*per:hi*per]...))
	}
	panic("rows: unsupported dtype")
}

func accuracy(logits, labels *tensor.Tensor) float64 {
	v, _ := tensor.Float64s(logits)
	c := logits.Dim(1)
	ok := 0
	for i, l := range tensor.Data[int64](labels) {
		arg := 0
		for j := 1; j < c; j++ {
			if v[i*c+j] > v[i*c+arg] {
				arg = j
			}
		}
		if int64(arg) == l {
			ok++
		}
	}
	return float64(ok) / float64(labels.Len())
}

// trainClassifier trains a 4-32-32-3 float32 MLP with Adam on
// cross-entropy and returns the trainer, the data, and the full-set loss
// before and after.
func trainClassifier(t *testing.T) (tr *Trainer, x, labels *tensor.Tensor, before, after float64) {
	const n, batch, steps = 512, 64, 300
	x, labels = teacherData(1, n, 4, 3)
	m := mlpModel(t, tensor.Float32, 7, 4, 32, 32, 3)
	tr, err := New(m, Options{Loss: CrossEntropy{}, Optimizer: &Adam{}, LR: 0.01, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	all := Batch{Inputs: map[string]*tensor.Tensor{"x": x}, Target: labels}
	if before, _, err = tr.Evaluate(ctx, all); err != nil {
		t.Fatal(err)
	}
	for s := 0; s < steps; s++ {
		lo := (s * batch) % n
		b := Batch{Inputs: map[string]*tensor.Tensor{"x": rows(x, lo, lo+batch)}, Target: rows(labels, lo, lo+batch)}
		if _, err := tr.Step(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	if after, _, err = tr.Evaluate(ctx, all); err != nil {
		t.Fatal(err)
	}
	return tr, x, labels, before, after
}

func TestTrainClassifierMLP(t *testing.T) {
	tr, x, labels, before, after := trainClassifier(t)
	_, outs, err := tr.Evaluate(context.Background(), Batch{Inputs: map[string]*tensor.Tensor{"x": x}})
	if err != nil {
		t.Fatal(err)
	}
	acc := accuracy(outs["y"], labels)
	t.Logf("cross-entropy %.4f → %.4f after %d steps, accuracy %.3f", before, after, tr.Steps(), acc)
	if !(after < before/5) {
		t.Errorf("cross-entropy fell from %v to %v only, want a factor of 5", before, after)
	}
	if acc < 0.9 {
		t.Errorf("training accuracy %v < 0.9", acc)
	}
	checkRoundTrip(t, tr, Batch{Inputs: map[string]*tensor.Tensor{"x": x}})
}

// qpProjectionModel is z = QP(I, p, [I; −I], h) with p = x·Wᵀ + c: a box
// projection whose map (W, c) and bounds h are learned. It starts from
// W = −I/2 + noise, c small and h = 1 (the box [−1, 1]ⁿ).
func qpProjectionModel(t *testing.T, n int) *importer.Model {
	b := onnxbuild.New("qpproj", map[string]int64{"": 17, "com.optnet": 1})
	x := b.Input("x", tensor.Float64, "batch", n)
	rng := rand.New(rand.NewPCG(5, 5))
	w0 := randTensor(rng, tensor.Float64, 0.2, n, n)
	for i := 0; i < n; i++ {
		tensor.Data[float64](w0)[i*n+i] -= 0.5
	}
	w := b.Initializer("W", w0)
	c := b.Initializer("c", randTensor(rng, tensor.Float64, 0.1, n))
	p := b.Node("Gemm", []string{x, w, c}, nil, onnxbuild.Int("transB", 1))
	q := make([]float64, n*n)
	g := make([]float64, 2*n*n)
	h := make([]float64, 2*n)
	for i := 0; i < n; i++ {
		q[i*n+i], g[i*n+i], g[(n+i)*n+i] = 1, 1, -1
		h[i], h[n+i] = 1, 1
	}
	Q := b.Initializer("Q", tensor.MustFromSlice([]int{n, n}, q))
	G := b.Initializer("G", tensor.MustFromSlice([]int{2 * n, n}, g))
	H := b.Initializer("h", tensor.MustFromSlice([]int{2 * n}, h))
	b.DomainNode("com.optnet", "QP", []string{Q, p, G, H}, []string{"z"})
	b.Output("z", tensor.Float64, "batch", n)
	return load(t, b)
}

func TestTrainQPProjection(t *testing.T) {
	// Targets: x clipped to the box [−lo, up] = the QP with p = −x and
	// h = [up; lo]. The model starts from a random map and a wider box.
	const n, batch, steps = 4, 32, 200
	up := []float64{0.5, 1.0, 0.3, 0.8}
	lo := []float64{0.7, 0.2, 1.0, 0.4}
	m := qpProjectionModel(t, n)
	tr, err := New(m, Options{Loss: MSE{}, Optimizer: &Adam{}, LR: 0.03, Freeze: []string{"Q", "G"}, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(tr.Params(), ","); got != "W,c,h" {
		t.Fatalf("params %s", got)
	}
	rng := rand.New(rand.NewPCG(9, 9))
	data := func() Batch {
		x := make([]float64, batch*n)
		y := make([]float64, batch*n)
		for i := range x {
			x[i] = 1.2 * rng.NormFloat64()
			y[i] = min(max(x[i], -lo[i%n]), up[i%n])
		}
		return Batch{Inputs: map[string]*tensor.Tensor{"x": tensor.MustFromSlice([]int{batch, n}, x)}, Target: tensor.MustFromSlice([]int{batch, n}, y)}
	}
	ctx := context.Background()
	test := data()
	before, _, err := tr.Evaluate(ctx, test)
	if err != nil {
		t.Fatal(err)
	}
	for s := 0; s < steps; s++ {
		if _, err := tr.Step(ctx, data()); err != nil {
			t.Fatal(err)
		}
	}
	after, _, err := tr.Evaluate(ctx, test)
	if err != nil {
		t.Fatal(err)
	}
	h := tensor.Data[float64](tr.Value("h"))
	t.Logf("MSE %.4g → %.4g after %d steps; h = %.3f (want %v, %v)", before, after, steps, h, up, lo)
	if !(after < before/50) {
		t.Errorf("MSE fell from %v to %v only, want a factor of 50", before, after)
	}
	for i := 0; i < n; i++ {
		if math.Abs(h[i]-up[i]) > 0.05 || math.Abs(h[n+i]-lo[i]) > 0.05 {
			t.Errorf("learned bounds h = %v, want [%v %v]", h, up, lo)
			break
		}
	}
	checkRoundTrip(t, tr, test)
}

// TestTorchCNNRoundTrip exports the CNN after a few steps (trained
// weights and BatchNorm running statistics) and checks it like the others.
func TestTorchCNNRoundTrip(t *testing.T) {
	refs := loadRefs(t, "cnn")
	tr, err := New(loadTorchModel(t, "cnn"), Options{Loss: CrossEntropy{}, Optimizer: &SGD{Momentum: 0.9}, LR: 0.05})
	if err != nil {
		t.Fatal(err)
	}
	for k := 0; k < 3; k++ {
		b := Batch{Inputs: map[string]*tensor.Tensor{"x": refs["steps/"+string(rune('0'+k))+"/x"]}, Target: refs["steps/"+string(rune('0'+k))+"/label"]}
		if _, err := tr.Step(context.Background(), b); err != nil {
			t.Fatal(err)
		}
	}
	checkRoundTrip(t, tr, Batch{Inputs: map[string]*tensor.Tensor{"x": refs["in/x"]}})
}

// checkRoundTrip exports the trainer's model (inline and with external
// data), runs onnx.checker.check_model(full_check=True) on both files
// when Python's onnx package is available, reloads them, and checks that
// the reloaded model's outputs equal the trainer's bit for bit.
func checkRoundTrip(t *testing.T, tr *Trainer, b Batch) {
	t.Helper()
	ctx := context.Background()
	_, want, err := tr.Evaluate(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, opts := range []exporter.Options{{}, {ExternalData: true, ExternalThreshold: 256}} {
		path := filepath.Join(dir, "inline.onnx")
		if opts.ExternalData {
			path = filepath.Join(dir, "external.onnx")
		}
		if err := tr.Export(path, opts); err != nil {
			t.Fatal(err)
		}
		if opts.ExternalData {
			if _, err := os.Stat(path + ".data"); err != nil {
				t.Fatalf("no external data file: %v", err)
			}
		}
		onnxCheck(t, path)
		model, err := optnet.Load(path)
		if err != nil {
			t.Fatal(err)
		}
		got, err := model.Run(ctx, b.Inputs)
		if err != nil {
			t.Fatal(err)
		}
		for name, w := range want {
			if e, err := relErr(got[name], w, 0); err != nil || e != 0 {
				t.Errorf("%s: output %s of the reloaded model differs from the trainer's (%v, %v)", filepath.Base(path), name, e, err)
			}
		}
		// The trained values are what the file holds.
		m2, err := importer.Load(path)
		if err != nil {
			t.Fatal(err)
		}
		for name, v := range tr.Values() {
			if e, err := relErr(m2.Graph.Initializers[name], v, 0); err != nil || e != 0 {
				t.Errorf("%s: initializer %s differs from the trainer's value", filepath.Base(path), name)
			}
		}
	}
}

// onnxCheck runs onnx.checker.check_model(path, full_check=True) with
// Debian's python3-onnx; it logs and returns when that is not installed.
func onnxCheck(t *testing.T, path string) {
	t.Helper()
	py := "/usr/bin/python3"
	if _, err := os.Stat(py); err != nil {
		t.Logf("onnx.checker skipped: no %s", py)
		return
	}
	if err := exec.Command(py, "-c", "import onnx").Run(); err != nil {
		t.Logf("onnx.checker skipped: python3-onnx is not installed")
		return
	}
	out, err := exec.Command(py, "-c", "import onnx, sys; onnx.checker.check_model(sys.argv[1], full_check=True)", path).CombinedOutput()
	if err != nil {
		t.Errorf("onnx.checker rejects %s: %v\n%s", filepath.Base(path), err, out)
	}
}

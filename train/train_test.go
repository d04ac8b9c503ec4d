package train

import (
	"context"
	"math"
	"math/rand"
	"path/filepath"
	"strings"
	"testing"

	"github.com/optnet-go/optnet/exporter"
	"github.com/optnet-go/optnet/importer"
	"github.com/optnet-go/optnet/onnxbuild"
	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestSGDMatchesFormula(t *testing.T) {
	for _, o := range []*SGD{{}, {Momentum: 0.9}, {Momentum: 0.9, Nesterov: true, WeightDecay: 0.1}} {
		p := tensor.MustFromSlice([]int{2}, []float64{1, -2})
		g := tensor.MustFromSlice([]int{2}, []float64{0.5, 0.25})
		ref := []float64{1, -2}
		buf := []float64{0, 0}
		for step := 0; step < 3; step++ {
			if err := o.Update("p", p, g, 0.1); err != nil {
				t.Fatal(err)
			}
			for i := range ref {
				d := []float64{0.5, 0.25}[i] + o.WeightDecay*ref[i]
				if o.Momentum != 0 {
					buf[i] = o.Momentum*buf[i] + d
					if o.Nesterov {
						d += o.Momentum * buf[i]
					} else {
						d = buf[i]
					}
				}
				ref[i] -= 0.1 * d
			}
		}
		for i, v := range tensor.Data[float64](p) {
			if math.Abs(v-ref[i]) > 1e-12 {
				t.Fatalf("%+v: got %v want %v", o, tensor.Data[float64](p), ref)
			}
		}
	}
}

func TestAdamFirstStepIsSignTimesLR(t *testing.T) {
	// With bias correction, Adam's first step is lr * g/|g| (up to eps).
	p := tensor.MustFromSlice([]int{3}, []float32{1, 1, 1})
	g := tensor.MustFromSlice([]int{3}, []float32{0.3, -2, 1e-3})
	o := &Adam{}
	if err := o.Update("p", p, g, 0.01); err != nil {
		t.Fatal(err)
	}
	want := []float32{0.99, 1.01, 0.99}
	for i, v := range tensor.Data[float32](p) {
		if math.Abs(float64(v-want[i])) > 1e-5 {
			t.Fatalf("got %v want %v", tensor.Data[float32](p), want)
		}
	}
	// AdamW decays the weights separately from the gradient.
	q := tensor.MustFromSlice([]int{1}, []float64{2})
	w := &Adam{WeightDecay: 0.5, Decoupled: true}
	if err := w.Update("q", q, tensor.MustFromSlice([]int{1}, []float64{1}), 0.1); err != nil {
		t.Fatal(err)
	}
	if got := tensor.Data[float64](q)[0]; math.Abs(got-(2-0.1*0.5*2-0.1)) > 1e-7 {
		t.Fatalf("adamw: %v", got)
	}
}

func TestLossesAndGradients(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	y := tensor.Make[float64](3, 4)
	for i := range tensor.Data[float64](y) {
		tensor.Data[float64](y)[i] = rng.NormFloat64()
	}
	labels := tensor.MustFromSlice([]int{3}, []int64{0, 3, 1})
	probs := tensor.Make[float64](3, 4)
	for i := range tensor.Data[float64](probs) {
		tensor.Data[float64](probs)[i] = rng.Float64()
	}
	for _, c := range []struct {
		loss   Loss
		target *tensor.Tensor
	}{{MSE{}, probs}, {CrossEntropy{}, labels}, {CrossEntropy{}, probs}, {NLL{}, labels}, {OutputLoss{}, nil}} {
		_, g, err := c.loss.Eval(y, c.target)
		if err != nil {
			t.Fatal(err)
		}
		for j := range tensor.Data[float64](y) {
			f := func(h float64) float64 {
				z := y.Clone()
				tensor.Data[float64](z)[j] += h
				l, _, _ := c.loss.Eval(z, c.target)
				return l
			}
			fd := (f(1e-6) - f(-1e-6)) / 2e-6
			if got := tensor.Data[float64](g)[j]; math.Abs(got-fd) > 1e-6 {
				t.Fatalf("%s: grad[%d] = %v, finite difference %v", c.loss.Name(), j, got, fd)
			}
		}
	}
	// Cross-entropy of a confident correct prediction is small.
	l, _, _ := CrossEntropy{}.Eval(tensor.MustFromSlice([]int{1, 2}, []float64{10, -10}), tensor.MustFromSlice([]int{1}, []int64{0}))
	if l > 1e-8 {
		t.Fatalf("ce = %v", l)
	}
	if _, _, err := (CrossEntropy{}).Eval(y, tensor.MustFromSlice([]int{3}, []int64{0, 9, 1})); err == nil {
		t.Fatal("out-of-range label accepted")
	}
}

// affineModel: y = relu(x + w) + b, all float64.
func affineModel(t *testing.T) *importer.Model {
	b := onnxbuild.New("affine", map[string]int64{"": 17})
	x := b.Input("x", tensor.Float64, "n", 3)
	w := b.Initializer("w", tensor.MustFromSlice([]int{3}, []float64{0.5, 0.5, 0.5}))
	bias := b.Initializer("b", tensor.MustFromSlice([]int{3}, []float64{0, 0, 0}))
	s := b.Node("Add", []string{x, w}, nil)
	r := b.Node("Relu", []string{s}, nil)
	b.Node("Add", []string{r, bias}, []string{"y"})
	b.Output("y", tensor.Float64, "n", 3)
	data, err := b.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	m, err := importer.LoadBytes(data)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestTrainingReducesLossAndExports(t *testing.T) {
	m := affineModel(t)
	tr, err := New(m, Options{Loss: MSE{}, Optimizer: &Adam{}, LR: 0.05, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if got := tr.Params(); len(got) != 2 {
		t.Fatalf("params %v", got)
	}
	rng := rand.New(rand.NewSource(2))
	// Target: relu(x + [1,2,3]) - 1.
	batch := func() Batch {
		x := tensor.Make[float64](8, 3)
		y := tensor.Make[float64](8, 3)
		for i := 0; i < 8; i++ {
			for j := 0; j < 3; j++ {
				v := rng.Float64()
				tensor.Data[float64](x)[i*3+j] = v
				tensor.Data[float64](y)[i*3+j] = math.Max(v+float64(j+1), 0) - 1
			}
		}
		return Batch{Inputs: map[string]*tensor.Tensor{"x": x}, Target: y}
	}
	ctx := context.Background()
	first, err := tr.Step(ctx, batch())
	if err != nil {
		t.Fatal(err)
	}
	var last float64
	for i := 0; i < 300; i++ {
		if last, err = tr.Step(ctx, batch()); err != nil {
			t.Fatal(err)
		}
	}
	if !(last < first/100) {
		t.Fatalf("loss went from %v to %v", first, last)
	}
	path := filepath.Join(t.TempDir(), "trained.onnx")
	if err := tr.Export(path, exporter.Options{}); err != nil {
		t.Fatal(err)
	}
	m2, err := importer.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	// x+w stays positive, so only w+b is identifiable: it must reach j.
	w := tensor.Data[float64](m2.Graph.Initializers["w"])
	bb := tensor.Data[float64](m2.Graph.Initializers["b"])
	for j := range w {
		if math.Abs(w[j]+bb[j]-float64(j)) > 0.05 {
			t.Fatalf("trained w=%v b=%v, want w+b = [0 1 2]", w, bb)
		}
	}
	// The source model is untouched.
	if tensor.Data[float64](m.Graph.Initializers["w"])[0] != 0.5 {
		t.Fatal("training modified the imported model")
	}
	// Reloaded model gives the same outputs as the trainer.
	b := batch()
	_, want, err := tr.Evaluate(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	tr2, err := New(m2, Options{Loss: MSE{}})
	if err != nil {
		t.Fatal(err)
	}
	_, got, err := tr2.Evaluate(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range tensor.Data[float64](got["y"]) {
		if v != tensor.Data[float64](want["y"])[i] {
			t.Fatalf("reloaded model differs at %d", i)
		}
	}
}

func TestParamSelection(t *testing.T) {
	m := affineModel(t)
	tr, err := New(m, Options{Loss: MSE{}, Freeze: []string{"b*"}})
	if err != nil {
		t.Fatal(err)
	}
	if p := tr.Params(); len(p) != 1 || p[0] != "w" {
		t.Fatalf("params %v", p)
	}
	if _, err := New(m, Options{Loss: MSE{}, Params: []string{"nothing*"}}); err != ErrNoParams {
		t.Fatalf("want ErrNoParams, got %v", err)
	}
}

// TestParamSelectionSkipsStateAndConfig: by default BatchNorm running
// statistics and initializers used only as op configuration (a Pow
// exponent, Clip bounds) are not parameters; naming a configuration
// value exactly selects it, a pattern does not.
func TestParamSelectionSkipsStateAndConfig(t *testing.T) {
	b := onnxbuild.New("cfg", map[string]int64{"": 17})
	x := b.Input("x", tensor.Float64, "n", 2)
	w := b.Initializer("w", tensor.MustFromSlice([]int{2}, []float64{1, 2}))
	e := b.Initializer("exponent", tensor.Scalar(2.0))
	lo := b.Initializer("lo", tensor.Scalar(-1.0))
	hi := b.Initializer("hi", tensor.Scalar(1.0))
	shared := b.Initializer("shared", tensor.Scalar(0.5)) // a Clip bound and a weight
	xw := b.Node("Mul", []string{x, w}, nil)
	p := b.Node("Pow", []string{xw, e}, nil)
	c := b.Node("Clip", []string{p, lo, hi}, nil)
	c2 := b.Node("Clip", []string{c, shared, hi}, nil)
	b.Node("Mul", []string{c2, shared}, []string{"y"})
	b.Output("y", tensor.Float64, "n", 2)
	data, err := b.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	m, err := importer.LoadBytes(data)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := New(m, Options{Loss: MSE{}})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(tr.Params(), ","); got != "shared,w" {
		t.Fatalf("default params %s, want shared,w", got)
	}
	tr, err = New(m, Options{Loss: MSE{}, Params: []string{"w", "exponent", "h*"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(tr.Params(), ","); got != "exponent,w" {
		t.Fatalf("params %s, want exponent,w", got)
	}
}

// TestStepKeepsNothing: after warm-up, a training step leaves nothing
// reachable behind (the tape, activations and gradients are dropped), and
// it allocates about what backward needs: for the MLP below, the
// activations and gradients, ~0.4 MB, not a multiple of it.
func TestStepKeepsNothing(t *testing.T) {
	m := mlpModel(t, tensor.Float32, 3, 256, 128, 128, 10)
	tr, err := New(m, Options{Loss: CrossEntropy{}, Optimizer: &Adam{}, LR: 1e-3})
	if err != nil {
		t.Fatal(err)
	}
	batch := benchBatch(tensor.Float32, 4, 10, 64, 256)
	for i := 0; i < 3; i++ {
		if _, err := tr.Step(context.Background(), batch); err != nil {
			t.Fatal(err)
		}
	}
	allocated, retained := stepHeap(t, tr, batch)
	// Needed: 4 activations of 64×128 (128 KB), their gradients (128 KB),
	// weight gradients (128·256 + 128·128 + 10·128 floats, 197 KB).
	const need = 4*64*128*4 + 4*64*128*4 + (128*256+128*128+10*128)*4
	t.Logf("step allocated %d bytes (needed ≈ %d), retained %d", allocated, need, retained)
	if retained > 64<<10 {
		t.Errorf("a step retained %d bytes", retained)
	}
	if allocated > 2*need {
		t.Errorf("a step allocated %d bytes, more than twice the %d it needs", allocated, need)
	}
}

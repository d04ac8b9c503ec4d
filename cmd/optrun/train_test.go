package main

import (
	"archive/zip"
	"bytes"
	"context"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/optnet-go/optnet"
	"github.com/optnet-go/optnet/importer"
	"github.com/optnet-go/optnet/internal/tensorio"
	"github.com/optnet-go/optnet/onnxbuild"
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// linearModel writes y = x·W + b (x: (batch, 3), y: (batch, 2), float32)
// with W and b initialised to small fixed values.
func linearModel(t *testing.T, dir string) string {
	t.Helper()
	m := onnxbuild.New("linear", map[string]int64{"": 17})
	m.Input("x", tensor.Float32, "batch", 3)
	m.Initializer("W", tensor.MustFromSlice([]int{3, 2}, []float32{0.1, -0.2, 0.05, 0.3, -0.1, 0.2}))
	m.Initializer("b", tensor.MustFromSlice([]int{2}, []float32{0, 0}))
	m.Node("MatMul", []string{"x", "W"}, []string{"xw"})
	m.Node("Add", []string{"xw", "b"}, []string{"y"})
	m.Output("y", tensor.Float32, "batch", 2)
	return writeFile(t, filepath.Join(dir, "linear.onnx"), modelBytes(t, m))
}

// linearData writes n samples of y = x·W* + b* + small noise to an .npz
// file with arrays "feat" and "label".
func linearData(t *testing.T, path string, n int, seed int64) string {
	t.Helper()
	rng := rand.New(rand.NewSource(seed))
	W := []float32{1, -1, 2, 0.5, -0.5, 1.5}
	B := []float32{0.3, -0.7}
	x := make([]float32, n*3)
	y := make([]float32, n*2)
	for i := 0; i < n; i++ {
		for j := 0; j < 3; j++ {
			x[i*3+j] = float32(rng.NormFloat64())
		}
		for k := 0; k < 2; k++ {
			v := B[k] + float32(rng.NormFloat64())*0.01
			for j := 0; j < 3; j++ {
				v += x[i*3+j] * W[j*2+k]
			}
			y[i*2+k] = v
		}
	}
	return writeNPZ(t, path, map[string]*tensor.Tensor{
		"feat":  tensor.MustFromSlice([]int{n, 3}, x),
		"label": tensor.MustFromSlice([]int{n, 2}, y),
	})
}

// writeNPZ writes arrays to an .npz file (a zip of .npy files).
func writeNPZ(t *testing.T, path string, arrays map[string]*tensor.Tensor) string {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, a := range arrays {
		w, err := zw.Create(name + ".npy")
		if err != nil {
			t.Fatal(err)
		}
		if err := tensorio.WriteNPY(w, a); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return writeFile(t, path, buf.Bytes())
}

func initializers(t *testing.T, path string) map[string]*tensor.Tensor {
	t.Helper()
	m, err := importer.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return m.Graph.Initializers
}

func TestTrainReducesLossWritesCSVAndPlot(t *testing.T) {
	dir := t.TempDir()
	model := linearModel(t, dir)
	before, err := os.ReadFile(model)
	if err != nil {
		t.Fatal(err)
	}
	data := linearData(t, filepath.Join(dir, "train.npz"), 100, 1)
	val := linearData(t, filepath.Join(dir, "val.npz"), 30, 2)
	out := filepath.Join(dir, "trained.onnx")
	csv := filepath.Join(dir, "log.csv")
	png := filepath.Join(dir, "loss.png")
	code, stdout, stderr := optrun(t, "train", model, "--data", data, "--val", val, "--input", "feat", "--target", "label",
		"--loss", "mse", "--optimizer", "adam", "--lr", "0.2", "--epochs", "12", "--batch", "16",
		"--schedule", "cosine", "--out", out, "--csv", csv, "--plot", png, "--progress", "on")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stderr, "epoch 12/12") || !strings.Contains(stderr, "(0/7)") {
		t.Errorf("no progress bar on stderr:\n%q", stderr)
	}
	lines := strings.Split(strings.TrimSpace(readFile(t, csv)), "\n")
	if len(lines) != 13 || lines[0] != "epoch,step,lr,train_loss,val_loss,seconds" {
		t.Fatalf("csv:\n%s", strings.Join(lines, "\n"))
	}
	col := func(line string, i int) float64 {
		v, err := strconv.ParseFloat(strings.Split(line, ",")[i], 64)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	if first, last := col(lines[1], 3), col(lines[12], 3); !(last < first/20) {
		t.Fatalf("train loss %v -> %v", first, last)
	}
	if first, last := col(lines[1], 4), col(lines[12], 4); !(last < first && last < 0.05) {
		t.Fatalf("val loss %v -> %v", first, last)
	}
	if col(lines[12], 1) != 84 { // 12 epochs × ⌈100/16⌉ batches
		t.Fatalf("steps: %s", lines[6])
	}
	for i := 1; i <= 12; i++ {
		if !strings.Contains(stdout, "epoch "+strconv.Itoa(i)+"/12") {
			t.Fatalf("no line for epoch %d:\n%s", i, stdout)
		}
	}
	if b := readFile(t, png); !strings.HasPrefix(b, "\x89PNG") {
		t.Fatal("loss plot is not a PNG")
	}
	after, _ := os.ReadFile(model)
	if !bytes.Equal(before, after) {
		t.Fatal("the input model was modified")
	}
	w := tensor.Data[float32](initializers(t, out)["W"])
	want := []float32{1, -1, 2, 0.5, -0.5, 1.5}
	for i := range w {
		if math.Abs(float64(w[i]-want[i])) > 0.1 {
			t.Fatalf("trained W %v, want about %v", w, want)
		}
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestTrainResumeEqualsUninterrupted interrupts a run mid-epoch (as Ctrl-C
// does), resumes it from the checkpoint, and wants the same trained bits
// and the same metrics as a run that was never interrupted.
func TestTrainResumeEqualsUninterrupted(t *testing.T) {
	dir := t.TempDir()
	model := linearModel(t, dir)
	data := linearData(t, filepath.Join(dir, "train.npz"), 50, 3)
	common := []string{"train", model, "--data", data, "--input", "x=feat", "--target", "label",
		"--optimizer", "adamw", "--weight-decay", "0.01", "--lr", "0.02", "--schedule", "step:1:0.7",
		"--epochs", "3", "--batch", "8", "--seed", "9", "--progress", "off"}
	full := filepath.Join(dir, "full.onnx")
	fullCSV := filepath.Join(dir, "full.csv")
	if code, o, e := optrun(t, append(common, "--out", full, "--csv", fullCSV)...); code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, o, e)
	}

	// Interrupt after step 10 (the 4th batch of the 2nd epoch).
	sig := make(chan os.Signal, 1)
	interruptSignals = func() (<-chan os.Signal, func()) { return sig, func() {} }
	afterStep = func(step int) {
		if step == 10 {
			sig <- os.Interrupt
		}
	}
	defer func() {
		afterStep = nil
		interruptSignals = defaultInterruptSignals
	}()
	part := filepath.Join(dir, "part.onnx")
	partCSV := filepath.Join(dir, "part.csv")
	code, o, e := optrun(t, append(common, "--out", part, "--csv", partCSV)...)
	if code != exitInterrupted || !strings.Contains(e, part+".ckpt") {
		t.Fatalf("interrupted run: exit %d\n%s\n%s", code, o, e)
	}
	if _, err := os.Stat(part); err == nil {
		t.Fatal("an interrupted run wrote the model")
	}
	afterStep = nil
	code, o, e = optrun(t, append(common, "--out", part, "--csv", partCSV, "--resume", part+".ckpt")...)
	if code != 0 || !strings.Contains(o, "resumed from") {
		t.Fatalf("resumed run: exit %d\n%s\n%s", code, o, e)
	}
	a, b := initializers(t, full), initializers(t, part)
	for _, name := range []string{"W", "b"} {
		x, y := tensor.Data[float32](a[name]), tensor.Data[float32](b[name])
		for i := range x {
			if x[i] != y[i] {
				t.Fatalf("%s[%d]: uninterrupted %v, resumed %v", name, i, x[i], y[i])
			}
		}
	}
	// Same metrics except the timing column.
	strip := func(s string) string {
		var out []string
		for _, l := range strings.Split(strings.TrimSpace(s), "\n") {
			out = append(out, l[:strings.LastIndex(l, ",")])
		}
		return strings.Join(out, "\n")
	}
	if x, y := strip(readFile(t, fullCSV)), strip(readFile(t, partCSV)); x != y {
		t.Fatalf("metrics differ:\n%s\nresumed:\n%s", x, y)
	}

	// A checkpoint of a run with other settings is refused.
	bad := append([]string(nil), common...)
	bad[len(bad)-5] = "16" // --batch
	if code, _, e := optrun(t, append(bad, "--out", part, "--resume", part+".ckpt")...); code != exitUsage || !strings.Contains(e, "other settings") {
		t.Fatalf("mismatched resume: exit %d %s", code, e)
	}
}

func TestTrainRefusesToOverwriteTheModel(t *testing.T) {
	dir := t.TempDir()
	model := linearModel(t, dir)
	data := linearData(t, filepath.Join(dir, "train.npz"), 10, 1)
	link := filepath.Join(dir, "link.onnx")
	if err := os.Symlink(model, link); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(dir, "sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	wd, _ := os.Getwd()
	if err := os.Chdir(sub); err != nil {
		t.Fatal(err)
	}
	defer os.Chdir(wd)
	for _, out := range []string{model, link, "../linear.onnx", "./../sub/../linear.onnx"} {
		code, _, e := optrun(t, "train", model, "--data", data, "--input", "feat", "--target", "label", "--out", out)
		if code != exitUsage || !strings.Contains(e, "input model") {
			t.Fatalf("--out %s: exit %d %s", out, code, e)
		}
	}
	// The model given through the link, --out the real file.
	if code, _, e := optrun(t, "train", link, "--data", data, "--input", "feat", "--target", "label", "--out", model); code != exitUsage {
		t.Fatalf("via link: exit %d %s", code, e)
	}
}

func TestTrainUsageErrors(t *testing.T) {
	dir := t.TempDir()
	model := linearModel(t, dir)
	data := linearData(t, filepath.Join(dir, "train.npz"), 10, 1)
	out := filepath.Join(dir, "o.onnx")
	base := []string{"train", model, "--data", data, "--out", out}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"train", model, "--out", out}, "--data"},
		{[]string{"train", model, "--data", data}, "--out"},
		{append(base, "--input", "feat"), "--target"},
		{append(base, "--input", "nope", "--target", "label"), `no array "nope"`},
		{append(base, "--input", "z=feat", "--target", "label"), `no input "z"`},
		{append(base, "--input", "feat", "--target", "label", "--loss", "hinge"), "unknown loss"},
		{append(base, "--input", "feat", "--target", "label", "--optimizer", "lbfgs"), "unknown optimizer"},
		{append(base, "--input", "feat", "--target", "label", "--schedule", "step:0:0.5"), "--schedule"},
		{append(base, "--input", "feat", "--target", "label", "--batch", "0"), "--batch"},
		{append(base, "--input", "feat", "--target", "label", "--params", "nothing*"), ""},
	} {
		code, _, e := optrun(t, c.args...)
		if code == 0 || !strings.Contains(e, c.want) {
			t.Errorf("%v: exit %d, stderr %s", c.args[3:], code, e)
		}
	}
}

// TestGradMatchesFiniteDifferences checks optrun grad's parameter and
// input gradients of <g, tanh(x·W + b)> against central differences.
func TestGradMatchesFiniteDifferences(t *testing.T) {
	dir := t.TempDir()
	rng := rand.New(rand.NewSource(5))
	randT := func(shape ...int) *tensor.Tensor {
		x := tensor.Make[float64](shape...)
		for i := range tensor.Data[float64](x) {
			tensor.Data[float64](x)[i] = rng.NormFloat64()
		}
		return x
	}
	W, b, x, g := randT(3, 2), randT(2), randT(4, 3), randT(4, 2)
	mb := onnxbuild.New("tanhlin", map[string]int64{"": 17})
	mb.Input("x", tensor.Float64, "batch", 3)
	mb.Initializer("W", W)
	mb.Initializer("b", b)
	mb.Node("MatMul", []string{"x", "W"}, []string{"xw"})
	mb.Node("Add", []string{"xw", "b"}, []string{"pre"})
	mb.Node("Tanh", []string{"pre"}, []string{"y"})
	mb.Output("y", tensor.Float64, "batch", 2)
	model := writeFile(t, filepath.Join(dir, "m.onnx"), modelBytes(t, mb))
	xf := writeNPY(t, filepath.Join(dir, "x.npy"), x)
	gf := writeNPY(t, filepath.Join(dir, "g.npy"), g)
	outDir := filepath.Join(dir, "grads")
	code, o, e := optrun(t, "grad", model, "--input", "x="+xf, "--output-grad", "y="+gf, "--out", outDir)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, o, e)
	}

	m, err := importer.Load(model)
	if err != nil {
		t.Fatal(err)
	}
	cm, err := runtime.Compile(m.Graph, optnet.DefaultRegistry(), runtime.Options{Variables: []string{"W", "b"}})
	if err != nil {
		t.Fatal(err)
	}
	vals := map[string]*tensor.Tensor{"W": W, "b": b, "x": x}
	objective := func() float64 {
		out, err := cm.Run(context.Background(), vals)
		if err != nil {
			t.Fatal(err)
		}
		s := 0.0
		for i, v := range tensor.Data[float64](out["y"]) {
			s += v * tensor.Data[float64](g)[i]
		}
		return s
	}
	for _, name := range []string{"W", "b", "x"} {
		got := readNPYFile(t, filepath.Join(outDir, "grad_"+name+".npy"))
		if !tensor.SameShape(got.Shape(), vals[name].Shape()) {
			t.Fatalf("grad_%s shape %v", name, got.Shape())
		}
		for i, gv := range tensor.Data[float64](got) {
			orig := vals[name]
			p := orig.Clone()
			vals[name] = p
			tensor.Data[float64](p)[i] += 1e-6
			fp := objective()
			tensor.Data[float64](p)[i] -= 2e-6
			fm := objective()
			vals[name] = orig
			fd := (fp - fm) / 2e-6
			if math.Abs(gv-fd) > 1e-7*(1+math.Abs(fd)) {
				t.Fatalf("grad_%s[%d] = %v, finite difference %v", name, i, gv, fd)
			}
		}
	}

	// Default upstream gradient: ones; the sum of grad_b is then the sum of
	// 1 - y² over the batch.
	code, o, e = optrun(t, "grad", model, "--input", "x="+xf, "--out", outDir)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, o, e)
	}
	out, _ := cm.Run(context.Background(), vals)
	want := 0.0
	for _, v := range tensor.Data[float64](out["y"]) {
		want += 1 - v*v
	}
	gb := tensor.Data[float64](readNPYFile(t, filepath.Join(outDir, "grad_b.npy")))
	if math.Abs(gb[0]+gb[1]-want) > 1e-12 {
		t.Fatalf("ones seed: sum grad_b %v, want %v", gb[0]+gb[1], want)
	}
	// Usage errors.
	if code, _, e := optrun(t, "grad", model, "--out", outDir); code != exitUsage || !strings.Contains(e, "not given") {
		t.Fatalf("missing input: %d %s", code, e)
	}
	if code, _, e := optrun(t, "grad", model, "--input", "x="+xf, "--output-grad", "q="+gf, "--out", outDir); code != exitUsage {
		t.Fatalf("unknown output: %d %s", code, e)
	}
}

func readNPYFile(t *testing.T, path string) *tensor.Tensor {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	x, err := tensorio.ReadNPY(f)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

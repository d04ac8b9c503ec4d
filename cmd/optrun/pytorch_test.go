package main

import (
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/optnet-go/optnet/internal/tensorio"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// The PyTorch round trip (python/tests/roundtrip.py): models with the
// QPLayer of python/optnet_onnx and standard models are exported from
// PyTorch; optrun must reproduce PyTorch's outputs and autograd
// gradients, fine-tune them, and the trained files must load back into
// the PyTorch modules and give optrun's outputs there.

const python = "/usr/bin/python3"

// needTorch skips the test where Debian's python3-torch and python3-onnx
// are missing, except in CI (which installs them): there it fails.
func needTorch(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: no PyTorch round trip")
	}
	if err := exec.Command(python, "-c", "import torch, onnx, numpy").Run(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI: %s cannot import torch, onnx and numpy (.ci/run installs python3-torch python3-onnx python3-numpy): %v", python, err)
		}
		t.Skipf("%s cannot import torch, onnx and numpy: %v", python, err)
	}
}

func runPython(t *testing.T, args ...string) string {
	t.Helper()
	cmd := exec.Command(python, args...)
	cmd.Env = append(os.Environ(), "PYTHONWARNINGS=ignore", "PYTHONDONTWRITEBYTECODE=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", python, strings.Join(args, " "), err, out)
	}
	return string(out)
}

type caseMeta struct {
	DType        string   `json:"dtype"`
	Tol          float64  `json:"tol"`
	Kind         string   `json:"kind"`
	QPNodes      int      `json:"qp_nodes"`
	Initializers []string `json:"initializers"`
	Params       []string `json:"params"`
}

func readArrays(t *testing.T, path string) map[string]*tensor.Tensor {
	t.Helper()
	a, err := tensorio.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// maxDiff returns max |a - b| and max |b|.
func maxDiff(t *testing.T, a, b *tensor.Tensor) (float64, float64) {
	t.Helper()
	if !tensor.SameShape(a.Shape(), b.Shape()) {
		t.Fatalf("shapes differ: %v vs %v", a.Shape(), b.Shape())
	}
	av, _ := tensor.Float64s(a)
	bv, _ := tensor.Float64s(b)
	d, m := 0.0, 0.0
	for i := range av {
		d = math.Max(d, math.Abs(av[i]-bv[i]))
		m = math.Max(m, math.Abs(bv[i]))
	}
	if math.IsNaN(d) {
		d = math.Inf(1)
	}
	return d, m
}

func TestPyTorchRoundTrip(t *testing.T) {
	needTorch(t)
	root := t.TempDir()
	script, err := filepath.Abs("../../python/tests/roundtrip.py")
	if err != nil {
		t.Fatal(err)
	}
	runPython(t, script, "export", root)
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	metas := map[string]caseMeta{}
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	if len(names) < 9 {
		t.Fatalf("exported %d cases: %v", len(names), names)
	}
	for _, name := range names {
		d := filepath.Join(root, name)
		var meta caseMeta
		if err := json.Unmarshal([]byte(readFile(t, filepath.Join(d, "meta.json"))), &meta); err != nil {
			t.Fatal(err)
		}
		metas[name] = meta
		// The export keeps the parameter names (and one QP node).
		inits := map[string]bool{}
		for _, n := range meta.Initializers {
			inits[n] = true
		}
		for _, p := range meta.Params {
			if !inits[p] {
				t.Errorf("%s: parameter %s is not an initializer of the export (initializers %v)", name, p, meta.Initializers)
			}
		}
		if (meta.Kind == "qp") != (meta.QPNodes == 1) {
			t.Errorf("%s: %d com.optnet::QP nodes", name, meta.QPNodes)
		}
		gradTol := 1e-8
		if meta.DType == "float32" {
			gradTol = 1e-4
		}

		// Forward: optrun equals PyTorch.
		model := filepath.Join(d, "model.onnx")
		x := filepath.Join(d, "x.npy")
		check := func(what, onnxFile, wantFile string) {
			out := filepath.Join(d, "out_"+what)
			if code, o, e := optrun(t, onnxFile, "--input", "x="+x, "--out", out); code != 0 {
				t.Fatalf("%s %s: exit %d\n%s\n%s", name, what, code, o, e)
			}
			got := readArrays(t, filepath.Join(out, "y.npy"))[""]
			want := readArrays(t, wantFile)[""]
			diff, scale := maxDiff(t, got, want)
			t.Logf("%s %s: max |optrun - pytorch| = %.3g (|y| <= %.3g)", name, what, diff, scale)
			if !(diff <= meta.Tol*(1+scale)) {
				t.Errorf("%s %s: max |optrun - pytorch| = %g > %g", name, what, diff, meta.Tol*(1+scale))
			}
		}
		check("forward", model, filepath.Join(d, "y.npy"))
		if meta.Kind == "std" {
			check("eval_opset13", filepath.Join(d, "eval_opset13.onnx"), filepath.Join(d, "y_eval.npy"))
			check("eval_opset17", filepath.Join(d, "eval_opset17.onnx"), filepath.Join(d, "y_eval.npy"))
		}

		// Gradients: optrun grad equals PyTorch autograd.
		gdir := filepath.Join(d, "grads")
		if code, o, e := optrun(t, "grad", model, "--input", "x="+x, "--output-grad", "y="+filepath.Join(d, "g.npy"), "--out", gdir); code != 0 {
			t.Fatalf("%s grad: exit %d\n%s\n%s", name, code, o, e)
		}
		worst := 0.0
		for key, want := range readArrays(t, filepath.Join(d, "grads.npz")) {
			got := readArrays(t, filepath.Join(gdir, "grad_"+safeName(key)+".npy"))[""]
			diff, scale := maxDiff(t, got, want)
			rel := diff / (1 + scale)
			worst = math.Max(worst, rel)
			if !(rel <= gradTol) {
				t.Errorf("%s: grad of %s: max |optrun - pytorch| = %g (|g| <= %g)", name, key, diff, scale)
			}
		}
		t.Logf("%s grad: max |optrun - autograd| / (1 + max|autograd|) = %.3g", name, worst)

		// Fine-tune with optrun train, run the result.
		trained := filepath.Join(d, "trained.onnx")
		if code, o, e := optrun(t, "train", model, "--data", filepath.Join(d, "train.npz"), "--input", "x", "--target", "t",
			"--loss", "mse", "--optimizer", "adam", "--lr", "0.01", "--epochs", "1", "--batch", "8", "--progress", "off", "--out", trained); code != 0 {
			t.Fatalf("%s train: exit %d\n%s\n%s", name, code, o, e)
		}
		out := filepath.Join(d, "out_trained")
		if code, o, e := optrun(t, trained, "--input", "x="+x, "--out", out); code != 0 {
			t.Fatalf("%s trained: exit %d\n%s\n%s", name, code, o, e)
		}
		if err := os.Rename(filepath.Join(out, "y.npy"), filepath.Join(d, "y_trained.npy")); err != nil {
			t.Fatal(err)
		}
		if diff, _ := maxDiff(t, readArrays(t, filepath.Join(d, "y_trained.npy"))[""], readArrays(t, filepath.Join(d, "y.npy"))[""]); diff == 0 {
			t.Errorf("%s: training changed nothing", name)
		}
	}
	// Load the trained files back into PyTorch and compare.
	out := runPython(t, script, "check", root)
	t.Logf("load_onnx_weights round trip:\n%s", out)
	if n := strings.Count(out, "\nok ") + strings.Count(out[:min(3, len(out))], "ok "); n != len(names) {
		t.Errorf("%d of %d cases loaded back:\n%s", n, len(names), out)
	}
	ortOracle(t, root, names, metas)
}

// ortDir is where .ci/run installs onnxruntime-node (npm, --ignore-scripts:
// the CPU binaries ship in the package).
const ortDir = "../../.tools/ort/node_modules"

// ortOracle runs the same models with onnxruntime-node
// (scripts/ort_oracle.js): the eval-mode PyTorch exports and the models
// optrun train wrote must give optrun's outputs there; the models with a
// com.optnet::QP node must be refused because of that node only.
func ortOracle(t *testing.T, root string, names []string, metas map[string]caseMeta) {
	t.Helper()
	node, err := exec.LookPath("node")
	if err == nil {
		_, err = os.Stat(filepath.Join(ortDir, "onnxruntime-node"))
	}
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI: onnxruntime-node is not installed under %s (.ci/run installs it): %v", ortDir, err)
		}
		t.Logf("onnxruntime-node oracle skipped: %v", err)
		return
	}
	type ortCase struct {
		Model  string            `json:"model"`
		Inputs map[string]string `json:"inputs"`
		Expect map[string]string `json:"expect"`
		Tol    float64           `json:"tol"`
		Refuse string            `json:"refuse,omitempty"`
	}
	var cases []ortCase
	for _, name := range names {
		d := filepath.Join(root, name)
		meta := metas[name]
		in := map[string]string{"x": filepath.Join(d, "x.npy")}
		if meta.Kind == "qp" {
			for _, m := range []string{"model.onnx", "trained.onnx"} {
				cases = append(cases, ortCase{Model: filepath.Join(d, m), Inputs: in, Refuse: "com.optnet"})
			}
			continue
		}
		for _, v := range []string{"eval_opset13", "eval_opset17"} {
			cases = append(cases, ortCase{Model: filepath.Join(d, v+".onnx"), Inputs: in, Tol: meta.Tol,
				Expect: map[string]string{"y": filepath.Join(d, "out_"+v, "y.npy")}})
		}
		cases = append(cases,
			ortCase{Model: filepath.Join(d, "model.onnx"), Inputs: in, Tol: meta.Tol, Expect: map[string]string{"y": filepath.Join(d, "out_forward", "y.npy")}},
			ortCase{Model: filepath.Join(d, "trained.onnx"), Inputs: in, Tol: meta.Tol, Expect: map[string]string{"y": filepath.Join(d, "y_trained.npy")}})
	}
	b, err := json.Marshal(cases)
	if err != nil {
		t.Fatal(err)
	}
	list := writeFile(t, filepath.Join(root, "ort_cases.json"), b)
	script, _ := filepath.Abs("../../scripts/ort_oracle.js")
	modules, _ := filepath.Abs(ortDir)
	cmd := exec.Command(node, script, list)
	cmd.Env = append(os.Environ(), "NODE_PATH="+modules)
	out, err := cmd.CombinedOutput()
	t.Logf("onnxruntime-node oracle:\n%s", out)
	if err != nil {
		t.Errorf("onnxruntime-node oracle: %v", err)
	}
}

// TestPythonQPLayer runs the unit tests of python/optnet_onnx (solver vs
// cvxopt, backward vs finite differences, the export's QP node).
func TestPythonQPLayer(t *testing.T) {
	needTorch(t)
	dir, err := filepath.Abs("../../python")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(python, "-m", "unittest", "discover", "-s", "tests", "-p", "test_*.py")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "PYTHONWARNINGS=ignore", "PYTHONDONTWRITEBYTECODE=1")
	out, err := cmd.CombinedOutput()
	t.Logf("%s", out)
	if err != nil {
		t.Fatalf("python unit tests: %v", err)
	}
	if os.Getenv("CI") != "" && strings.Contains(string(out), "skipped") {
		t.Fatalf("CI: python unit tests were skipped (python3-cvxopt missing?)")
	}
}

// TestPyTorchWalkthrough executes docs/pytorch.md: its "# file:" Python
// blocks are written to a fresh folder and its sh blocks run there in
// order, with optrun (built from this tree) and python/ on the paths.
func TestPyTorchWalkthrough(t *testing.T) {
	needTorch(t)
	doc := readFile(t, "../../docs/pytorch.md")
	repo, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	bin := t.TempDir()
	if out, err := exec.Command("go", "build", "-o", filepath.Join(bin, "optrun"), ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	work := t.TempDir()
	env := append(os.Environ(), "OPTNET="+repo, "PATH="+bin+":/usr/bin:"+os.Getenv("PATH"), "PYTHONWARNINGS=ignore", "PYTHONDONTWRITEBYTECODE=1")
	blocks, ran := 0, 0
	prelude := "" // the export lines of earlier blocks: each block runs in its own shell
	lines := strings.Split(doc, "\n")
	for i := 0; i < len(lines); i++ {
		lang, ok := strings.CutPrefix(lines[i], "```")
		if !ok || lang == "" {
			continue
		}
		j := i + 1
		for j < len(lines) && lines[j] != "```" {
			j++
		}
		body := strings.Join(lines[i+1:j], "\n") + "\n"
		i = j
		switch {
		case lang == "python" && strings.HasPrefix(body, "# file: "):
			name := strings.TrimSpace(strings.SplitN(strings.TrimPrefix(body, "# file: "), "\n", 2)[0])
			writeFile(t, filepath.Join(work, name), []byte(body))
			blocks++
		case lang == "sh":
			cmd := exec.Command("bash", "-euo", "pipefail", "-c", prelude+body)
			for _, l := range strings.Split(body, "\n") {
				if strings.HasPrefix(l, "export ") {
					prelude += l + "\n"
				}
			}
			cmd.Dir, cmd.Env = work, env
			out, err := cmd.CombinedOutput()
			t.Logf("$ %s%s", body, out)
			if err != nil {
				t.Fatalf("docs/pytorch.md block failed: %v\n%s\n%s", err, body, out)
			}
			ran++
		}
	}
	if blocks < 2 || ran < 5 {
		t.Fatalf("found %d file blocks and %d sh blocks in docs/pytorch.md", blocks, ran)
	}
}

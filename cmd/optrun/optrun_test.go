package main

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"codeberg.org/sbinet/npyio/npz"
	"google.golang.org/protobuf/proto"

	"github.com/optnet-go/optnet/gpu"
	"github.com/optnet-go/optnet/internal/tensorio"
	"github.com/optnet-go/optnet/onnxbuild"
	"github.com/optnet-go/optnet/runtime/tensor"
	"github.com/optnet-go/optnet/tensorpb"
)

// optrun runs the command in-process and returns its exit status and
// output.
func optrun(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func writeFile(t *testing.T, path string, b []byte) string {
	t.Helper()
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func modelBytes(t *testing.T, m *onnxbuild.Model) []byte {
	t.Helper()
	b, err := m.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func tensorBytes(t *testing.T, x *tensor.Tensor) []byte {
	t.Helper()
	b, err := proto.Marshal(tensorpb.Encode("", x))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func writeNPY(t *testing.T, path string, x *tensor.Tensor) string {
	t.Helper()
	var buf bytes.Buffer
	if err := tensorio.WriteNPY(&buf, x); err != nil {
		t.Fatal(err)
	}
	return writeFile(t, path, buf.Bytes())
}

// addReluModel computes z = Relu(x + y) and "sum/raw" = x + y, with x of
// shape (batch, 3) and y of shape (3).
func addReluModel(t *testing.T, dir string) string {
	t.Helper()
	m := onnxbuild.New("addrelu", map[string]int64{"": 17})
	m.Input("x", tensor.Float32, "batch", 3)
	m.Input("y", tensor.Float32, 3)
	m.Node("Add", []string{"x", "y"}, []string{"sum/raw"})
	m.Node("Relu", []string{"sum/raw"}, []string{"z"})
	m.Output("z", tensor.Float32, "batch", 3)
	m.Output("sum/raw", tensor.Float32, "batch", 3)
	return writeFile(t, filepath.Join(dir, "addrelu.onnx"), modelBytes(t, m))
}

// lineWith returns the first output line starting with prefix.
func lineWith(t *testing.T, out, prefix string) string {
	t.Helper()
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, prefix) {
			return l
		}
	}
	t.Fatalf("no line starting with %q in:\n%s", prefix, out)
	return ""
}

func TestHelp(t *testing.T) {
	for _, args := range [][]string{{"-h"}, {"--help"}, {"help"}} {
		code, out, _ := optrun(t, args...)
		if code != 0 {
			t.Errorf("%v: exit %d", args, code)
		}
		for _, sub := range []string{"optrun info", "optrun test", "optrun [run]"} {
			if !strings.Contains(out, sub) {
				t.Errorf("%v: usage lacks %q:\n%s", args, sub, out)
			}
		}
	}
	code, out, _ := optrun(t, "help", "run")
	if code != 0 || !strings.Contains(out, "-input NAME=FILE") || !strings.Contains(out, "-random") {
		t.Errorf("help run: exit %d\n%s", code, out)
	}
	code, out, _ = optrun(t, "test", "-h")
	if code != 0 || !strings.Contains(out, "N passed, N failed, N skipped") {
		t.Errorf("test -h: exit %d\n%s", code, out)
	}
}

func TestUsageErrors(t *testing.T) {
	dir := t.TempDir()
	model := addReluModel(t, dir)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"bogus"}, `unknown command "bogus"`},
		{[]string{"run", "--bogus", model}, "flag provided but not defined: -bogus"},
		{[]string{"run", model, model}, "one model at a time"},
		{[]string{model, "--random", "--zeros"}, "exclude each other"},
		{[]string{model, "--device", "tpu"}, "want auto, cpu or cuda"},
		{[]string{model, "--dim", "batch"}, "want NAME=N"},
		{[]string{model, "--dim", "batch=-1"}, "want NAME=N"},
		{[]string{model}, `input "x" (float32 (batch, 3)) is not given: use --input x=FILE, --random or --zeros`},
		{[]string{model, "--input", "w=" + model}, `the model has no input "w" (inputs: x, y)`},
		{[]string{"info"}, "name a model file"},
		{[]string{"help", "bogus"}, `unknown command "bogus"`},
		{[]string{"test", "--run", "("}, "--run"},
	}
	if ok, _ := gpu.Available(); !ok {
		cases = append(cases, struct {
			args []string
			want string
		}{[]string{model, "--device", "cuda"}, "--device cuda: no usable GPU"})
	}
	for _, c := range cases {
		code, out, errs := optrun(t, c.args...)
		if code != 2 {
			t.Errorf("%v: exit %d, want 2 (stderr %q)", c.args, code, errs)
		}
		if !strings.Contains(errs, c.want) {
			t.Errorf("%v: stderr %q lacks %q", c.args, errs, c.want)
		}
		if !strings.Contains(errs, "optrun -h") {
			t.Errorf("%v: stderr %q does not point at -h", c.args, errs)
		}
		if out != "" {
			t.Errorf("%v: stdout %q, want nothing", c.args, out)
		}
	}
}

func TestRunInputsFromFiles(t *testing.T) {
	dir := t.TempDir()
	model := addReluModel(t, dir)
	x := writeNPY(t, filepath.Join(dir, "x.npy"), tensor.MustFromSlice([]int{2, 3}, []float32{1, 2, 3, -4, -5, -6}))
	y := writeNPY(t, filepath.Join(dir, "y.npy"), tensor.MustFromSlice([]int{3}, []float32{-1, 2, 0.5}))
	// Flags after the model, and the explicit run command, both work.
	for _, args := range [][]string{
		{model, "--input", "x=" + x, "--input", "y=" + y},
		{"run", "-input", "x=" + x, model, "-input", "y=" + y},
	} {
		code, out, errs := optrun(t, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errs)
		}
		// x + y = [0 4 3.5 -5 -3 -5.5]; relu of it:
		if got, want := lineWith(t, out, "output z "), "output z  float32 (2, 3)  min 0  max 4  mean 1.25  [0 4 3.5 0 0 0]"; got != want {
			t.Errorf("got  %q\nwant %q", got, want)
		}
		if got, want := lineWith(t, out, "output sum/raw "), "output sum/raw  float32 (2, 3)  min -5.5  max 4  mean -1  [0 4 3.5 -5 -3 -5.5]"; got != want {
			t.Errorf("got  %q\nwant %q", got, want)
		}
		if got := lineWith(t, out, "input  x "); !strings.Contains(got, "float32 (2, 3)") {
			t.Errorf("input line %q", got)
		}
	}
	// --show limits the values printed.
	code, out, _ := optrun(t, model, "--input", "x="+x, "--input", "y="+y, "--show", "2")
	if code != 0 || !strings.HasSuffix(lineWith(t, out, "output z "), "[0 4 ...]") {
		t.Errorf("--show 2: exit %d\n%s", code, out)
	}
}

func TestRunZerosRandomDims(t *testing.T) {
	dir := t.TempDir()
	model := addReluModel(t, dir)
	y := writeNPY(t, filepath.Join(dir, "y.npy"), tensor.MustFromSlice([]int{3}, []float32{-1, 2, 0.5}))
	code, out, errs := optrun(t, model, "--zeros", "--input", "y="+y)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(errs, `dimension "batch" set to 1 (use --dim batch=N)`) {
		t.Errorf("no notice about the symbolic dim: %q", errs)
	}
	if got, want := lineWith(t, out, "output z "), "output z  float32 (1, 3)  min 0  max 2  mean 0.8333  [0 2 0.5]"; got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}

	code, out, errs = optrun(t, model, "--random", "--dim", "batch=4", "--seed", "7")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if strings.Contains(errs, "set to 1") {
		t.Errorf("notice despite --dim: %q", errs)
	}
	xline := lineWith(t, out, "input  x ")
	if !strings.Contains(xline, "float32 (4, 3)") {
		t.Errorf("x line %q", xline)
	}
	// Uniform [0, 1) inputs: the sum lies in [0, 2).
	m := regexp.MustCompile(`min (\S+)  max (\S+)`).FindStringSubmatch(lineWith(t, out, "output sum/raw "))
	if m == nil {
		t.Fatalf("no min/max in %q", out)
	}
	lo, err1 := strconv.ParseFloat(m[1], 64)
	hi, err2 := strconv.ParseFloat(m[2], 64)
	if err1 != nil || err2 != nil || lo < 0 || hi >= 2 || lo == hi {
		t.Errorf("random sum min %s max %s, want within [0, 2)", m[1], m[2])
	}
	// Same seed, same values; another seed, others.
	_, out2, _ := optrun(t, model, "--random", "--dim", "batch=4", "--seed", "7")
	_, out3, _ := optrun(t, model, "--random", "--dim", "batch=4", "--seed", "8")
	if out2 != out {
		t.Error("same seed gave different output")
	}
	if out3 == out {
		t.Error("different seeds gave the same output")
	}
}

func TestRunNPZAndPB(t *testing.T) {
	dir := t.TempDir()
	model := addReluModel(t, dir)
	npzPath := filepath.Join(dir, "in.npz")
	// The npz is written by npyio; arrays are float64, so the command must
	// convert them (with a notice).
	if err := npz.Write(npzPath, map[string]any{
		"x":     []float64{1, -1, 2},
		"y":     []float64{0, 0, 1},
		"other": []float64{9},
	}); err != nil {
		t.Fatal(err)
	}
	code, out, errs := optrun(t, model, "--input", npzPath)
	// x has shape (3,) here, which does not match the declared rank.
	if code != 1 || !strings.Contains(errs, `input "x"`) || !strings.Contains(errs, "has shape (3)") {
		t.Fatalf("rank mismatch: exit %d, stderr %q", code, errs)
	}
	if !strings.Contains(errs, `array "other" is not a model input; ignored`) || !strings.Contains(errs, "converted from float64 to float32") {
		t.Errorf("notices missing: %q", errs)
	}

	xpb := writeFile(t, filepath.Join(dir, "x.pb"), tensorBytes(t, tensor.MustFromSlice([]int{1, 3}, []float32{1, -1, 2})))
	code, out, errs = optrun(t, model, "--input", "x="+xpb, "--input", "y="+npzPath+":y")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if got, want := lineWith(t, out, "output sum/raw "), "output sum/raw  float32 (1, 3)  min -1  max 3  mean 1  [1 -1 3]"; got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	// NAME=FILE.npz takes the array named NAME.
	code, _, errs = optrun(t, model, "--input", "x="+xpb, "--input", "y="+npzPath)
	if code != 0 {
		t.Errorf("y=in.npz: exit %d: %s", code, errs)
	}
	code, _, errs = optrun(t, model, "--input", "x="+xpb, "--input", "y="+npzPath+":nope")
	if code != 2 || !strings.Contains(errs, `has no array "nope" (arrays: other, x, y)`) {
		t.Errorf("missing key: exit %d: %s", code, errs)
	}
	code, _, errs = optrun(t, model, "--input", "x="+xpb, "--input", "x="+xpb)
	if code != 2 || !strings.Contains(errs, `input "x" is given twice`) {
		t.Errorf("twice: exit %d: %s", code, errs)
	}
	code, _, errs = optrun(t, model, "--input", "x="+filepath.Join(dir, "missing.npy"), "--zeros")
	if code != 1 || !strings.Contains(errs, "missing.npy") {
		t.Errorf("missing file: exit %d: %s", code, errs)
	}
}

func TestRunWritesOutputs(t *testing.T) {
	dir := t.TempDir()
	model := addReluModel(t, dir)
	y := writeNPY(t, filepath.Join(dir, "y.npy"), tensor.MustFromSlice([]int{3}, []float32{-1, 2, 0.5}))
	outDir := filepath.Join(dir, "out", "nested")
	code, out, errs := optrun(t, model, "--zeros", "--dim", "batch=2", "--input", "y="+y, "--out", outDir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	want := map[string][]float32{
		"z.npy":       {0, 2, 0.5, 0, 2, 0.5},
		"sum_raw.npy": {-1, 2, 0.5, -1, 2, 0.5}, // "sum/raw" sanitised
	}
	for file, vals := range want {
		path := filepath.Join(outDir, file)
		if !strings.Contains(out, "wrote "+path) {
			t.Errorf("stdout does not report %s:\n%s", path, out)
		}
		got, err := tensorio.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		g := got[""]
		if !tensor.SameShape(g.Shape(), []int{2, 3}) || !reflect.DeepEqual(g.Raw(), vals) {
			t.Errorf("%s: %v %v, want (2, 3) %v", file, g.Shape(), g.Raw(), vals)
		}
	}

	// An output file that would replace an input file is refused.
	clash := writeNPY(t, filepath.Join(dir, "z.npy"), tensor.MustFromSlice([]int{2, 3}, []float32{1, 1, 1, 1, 1, 1}))
	before, _ := os.ReadFile(clash)
	code, _, errs = optrun(t, model, "--input", "x="+clash, "--input", "y="+y, "--out", dir)
	if code != 1 || !strings.Contains(errs, "refusing to overwrite") {
		t.Errorf("clash: exit %d: %s", code, errs)
	}
	if after, _ := os.ReadFile(clash); !bytes.Equal(before, after) {
		t.Error("the input file was modified")
	}
}

func TestSafeName(t *testing.T) {
	for in, want := range map[string]string{
		"y":          "y",
		"sum/raw":    "sum_raw",
		"../../etc":  "_.._.._etc",
		"..":         "_..",
		"":           "_",
		"a b:c\\d":   "a_b_c_d",
		"-rf":        "_-rf",
		"logits.0":   "logits.0",
		"ünïcode":    "_n_code",
		".hidden":    "_.hidden",
		"x\x00y":     "x_y",
		"output:0/1": "output_0_1",
	} {
		if got := safeName(in); got != want {
			t.Errorf("safeName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRunError(t *testing.T) {
	dir := t.TempDir()
	model := addReluModel(t, dir)
	bad := writeNPY(t, filepath.Join(dir, "y.npy"), tensor.MustFromSlice([]int{4}, []float32{1, 2, 3, 4}))
	code, out, errs := optrun(t, model, "--zeros", "--input", "y="+bad)
	if code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	if !strings.Contains(errs, `input "y": has shape (4), the model declares (3)`) {
		t.Errorf("stderr %q", errs)
	}
	if strings.Contains(out, "output") {
		t.Errorf("outputs printed after an error:\n%s", out)
	}
	garbage := writeFile(t, filepath.Join(dir, "garbage.onnx"), []byte("\xff\xff\xff\xff not protobuf"))
	code, _, errs = optrun(t, garbage, "--zeros")
	if code != 1 || !strings.Contains(errs, "malformed ONNX protobuf") {
		t.Errorf("garbage: exit %d: %s", code, errs)
	}
	code, _, errs = optrun(t, filepath.Join(dir, "absent.onnx"))
	if code != 1 || !strings.Contains(errs, "absent.onnx") {
		t.Errorf("absent: exit %d: %s", code, errs)
	}
}

func TestRunUnsupported(t *testing.T) {
	dir := t.TempDir()
	path := writeFile(t, filepath.Join(dir, "u.onnx"), modelBytes(t, unsupportedModel()))
	code, _, errs := optrun(t, path, "--zeros")
	if code != 1 {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"2 unsupported operator(s)", "ai.onnx::FooOp (opset 17)", "com.example::BarOp (opset 3)"} {
		if !strings.Contains(errs, want) {
			t.Errorf("stderr %q lacks %q", errs, want)
		}
	}
}

// unsupportedModel uses two ops optnet lacks, one of them twice, plus a
// supported one, and has IR-3 style inputs with initializer defaults.
func unsupportedModel() *onnxbuild.Model {
	m := onnxbuild.New("unsupported", map[string]int64{"": 17, "com.example": 3})
	m.Proto().ProducerName = proto.String("unit-test")
	m.Proto().ProducerVersion = proto.String("0.1")
	m.Input("x", tensor.Float32, "n", 3)
	m.Input("w", tensor.Float32, 2, 3)
	m.Initializer("w", tensor.MustFromSlice([]int{2, 3}, []float32{1, 2, 3, 4, 5, 6}))
	m.Initializer("steps", tensor.MustFromSlice([]int{4}, []int64{1, 2, 3, 4}))
	m.Node("FooOp", []string{"x"}, []string{"a"})
	m.Node("FooOp", []string{"a"}, []string{"b"})
	m.DomainNode("com.example", "BarOp", []string{"b", "w"}, []string{"c"})
	m.Node("Relu", []string{"c"}, []string{"out"})
	m.Output("out", tensor.Float32, "?", 3)
	// An unknown (neither fixed nor named) first dim.
	out := m.Graph().Output[0].GetType().GetTensorType().GetShape().GetDim()[0]
	out.Value = nil
	return m
}

func TestInfo(t *testing.T) {
	dir := t.TempDir()
	path := writeFile(t, filepath.Join(dir, "u.onnx"), modelBytes(t, unsupportedModel()))
	code, out, errs := optrun(t, "info", path)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, re := range []string{
		`(?m)^ir_version: +8$`,
		`(?m)^producer: +unit-test 0\.1$`,
		`(?m)^opsets: +ai\.onnx 17, com\.example 3$`,
		`(?m)^inputs \(1\):\n  x  float32  \(n, 3\)\n  \(and 1 inputs with initializer defaults\)$`,
		`(?m)^outputs \(1\):\n  out  float32  \(\?, 3\)$`,
		`(?m)^initializers: 2, 56 bytes$`,
		`(?m)^parameters: 6 \(`,
		`(?m)^nodes: 4, 3 op types:\n  FooOp +2\n  Relu +1\n  com\.example::BarOp +1$`,
		`(?m)^unsupported ops \(2\):\n  ai\.onnx::FooOp +opset 17 +2 nodes\n  com\.example::BarOp +opset 3 +1 node$`,
	} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("info output does not match %s:\n%s", re, out)
		}
	}

	ok := onnxbuild.New("ok", map[string]int64{"": 13})
	ok.Input("x", tensor.Float32, 2)
	ok.Node("Relu", []string{"x"}, []string{"y"})
	ok.Output("y", tensor.Float32, 2)
	supported := writeFile(t, filepath.Join(dir, "ok.onnx"), modelBytes(t, ok))
	code, out, _ = optrun(t, "info", supported)
	if code != 0 || !strings.Contains(out, "unsupported ops: none") {
		t.Errorf("supported model: exit %d\n%s", code, out)
	}
	garbage := writeFile(t, filepath.Join(dir, "garbage.onnx"), []byte{0x0a, 0xff})
	code, _, errs = optrun(t, "info", garbage)
	if code != 1 || !strings.Contains(errs, "malformed") {
		t.Errorf("garbage: exit %d: %s", code, errs)
	}
}

// writeCase writes an ONNX backend-test case folder computing Add.
func writeCase(t *testing.T, dir, name, op string, a, b, want *tensor.Tensor) {
	t.Helper()
	caseDir := filepath.Join(dir, name)
	set := filepath.Join(caseDir, "test_data_set_0")
	if err := os.MkdirAll(set, 0o755); err != nil {
		t.Fatal(err)
	}
	m := onnxbuild.New(name, map[string]int64{"": 13})
	m.Input("a", tensor.Float32, 2)
	m.Input("b", tensor.Float32, 2)
	m.Node(op, []string{"a", "b"}, []string{"c"})
	m.Output("c", tensor.Float32, 2)
	writeFile(t, filepath.Join(caseDir, "model.onnx"), modelBytes(t, m))
	for name, x := range map[string]*tensor.Tensor{"input_0.pb": a, "input_1.pb": b, "output_0.pb": want} {
		writeFile(t, filepath.Join(set, name), tensorBytes(t, x))
	}
}

func TestTestCommand(t *testing.T) {
	dir := t.TempDir()
	a := tensor.MustFromSlice([]int{2}, []float32{1, 2})
	b := tensor.MustFromSlice([]int{2}, []float32{10, 20})
	writeCase(t, dir, "test_add_ok", "Add", a, b, tensor.MustFromSlice([]int{2}, []float32{11, 22}))
	writeCase(t, dir, "test_add_wrong", "Add", a, b, tensor.MustFromSlice([]int{2}, []float32{11, 23}))
	writeCase(t, filepath.Join(dir, "more"), "test_nosuchop", "NoSuchOp", a, b, a)

	code, out, _ := optrun(t, "test", dir)
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	want := []string{
		`^ERROR test_nosuchop: .*NoSuchOp`,
		`^pass  test_add_ok$`,
		`^FAIL  test_add_wrong: test_data_set_0: output "c": element 1 is 22, want 23`,
		`^1 passed, 2 failed, 0 skipped$`,
	}
	if len(lines) != len(want) {
		t.Fatalf("got %d lines, want %d:\n%s", len(lines), len(want), out)
	}
	for i, re := range want {
		if !regexp.MustCompile(re).MatchString(lines[i]) {
			t.Errorf("line %d: %q does not match %s", i, lines[i], re)
		}
	}

	code, out, _ = optrun(t, "test", "--run", "_ok$", dir)
	if code != 0 || strings.TrimSpace(out) != "pass  test_add_ok\n1 passed, 0 failed, 0 skipped" {
		t.Errorf("--run: exit %d\n%s", code, out)
	}
	code, out, _ = optrun(t, "test", "-q", filepath.Join(dir, "test_add_ok"), filepath.Join(dir, "test_add_wrong"))
	if code != 1 || strings.Count(out, "\n") != 2 || !strings.Contains(out, "1 passed, 1 failed, 0 skipped") {
		t.Errorf("-q: exit %d\n%s", code, out)
	}
	code, _, errs := optrun(t, "test", t.TempDir())
	if code != 1 || !strings.Contains(errs, "no test cases") {
		t.Errorf("empty dir: exit %d: %s", code, errs)
	}
}

// TestDefaultModel is README command 1: `go run ./cmd/optrun` with no
// arguments runs the built-in model on its sample, checks the result
// against the reference and draws the signals.
func TestDefaultModel(t *testing.T) {
	t.Chdir(t.TempDir()) // the run writes its plot into the current folder
	code, out, errs := optrun(t)
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errs)
	}
	for _, want := range []string{
		"model: built-in default",
		"input  noisy  float32 (8, 100)",
		"output denoised  float32 (8, 100)",
		"output denoised matches the reference output",
		"mean squared error vs the clean target: input noisy",
		"wrote " + defaultPlot,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if st, err := os.Stat(defaultPlot); err != nil || st.Size() < 1000 {
		t.Errorf("plot: %v", err)
	}
}

func TestParseInterleaved(t *testing.T) {
	fs, f := newRunFlags()
	pos, err := parseInterleaved(fs, []string{"--zeros", "a.onnx", "--seed", "4", "--", "--not-a-flag"}, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(pos, []string{"a.onnx", "--not-a-flag"}) || !f.zeros || f.seed != 4 {
		t.Fatalf("positional %v, zeros %v, seed %d", pos, f.zeros, f.seed)
	}
	var out bytes.Buffer
	fs, _ = newRunFlags()
	if _, err := parseInterleaved(fs, []string{"a.onnx", "-h"}, &out); err == nil || !strings.Contains(out.String(), "Usage: optrun [run]") {
		t.Fatalf("-h: err %v, usage %q", err, out.String())
	}
	code, stdout, _ := optrun(t, "help", "info")
	if code != 0 || !strings.Contains(stdout, "Usage: optrun info") {
		t.Fatalf("help info: exit %d\n%s", code, stdout)
	}
}

// Package conformance runs ONNX backend tests: folders holding model.onnx
// and test_data_set_N/{input_K,output_K}.pb, as the ONNX project ships them
// (Debian's libonnx-testdata installs the node tests under DefaultDir).
// The same code backs `optrun test` and the conformance test suite.
package conformance

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/optnet-go/optnet/importer"
	"github.com/optnet-go/optnet/onnxpb"
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
	"github.com/optnet-go/optnet/tensorpb"
)

// DefaultDir is where Debian's libonnx-testdata puts the ONNX node tests.
const DefaultDir = "/usr/share/libonnx-testdata/data/node"

// Status is a case's outcome.
type Status int

// Outcomes.
const (
	Pass  Status = iota
	Fail         // ran, but an output differs
	Error        // could not load, compile or run
	Skip         // uses value kinds the runtime does not model (sequences, maps, optionals)
)

func (s Status) String() string {
	return [...]string{"pass", "FAIL", "ERROR", "skip"}[s]
}

// Result is one case's outcome.
type Result struct {
	Name   string // folder name, e.g. test_add_bcast
	Dir    string
	Ops    []string // op types in the model's main graph
	Status Status
	Detail string // worst mismatch, error text, or skip reason
	Time   time.Duration
}

// Tolerances are the ONNX backend-test defaults for floating-point outputs:
// |got - want| <= Atol + Rtol*|want|.
type Tolerances struct{ Rtol, Atol float64 }

// DefaultTolerances are rtol 1e-3, atol 1e-7.
var DefaultTolerances = Tolerances{Rtol: 1e-3, Atol: 1e-7}

// Runner runs cases with a registry.
type Runner struct {
	Registry *runtime.Registry
	Tol      Tolerances
	// Timeout bounds one case (0: one minute).
	Timeout time.Duration
}

// FindCases returns every case folder (one holding model.onnx) under the
// given roots, sorted by path.
func FindCases(roots ...string) ([]string, error) {
	var dirs []string
	for _, root := range roots {
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && d.Name() == "model.onnx" {
				dirs = append(dirs, filepath.Dir(p))
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	sort.Strings(dirs)
	return dirs, nil
}

// errSkip marks values the runtime does not model.
var errSkip = errors.New("skip")

// Run executes one case folder: every test_data_set_N in it.
func (r *Runner) Run(ctx context.Context, dir string) (res Result) {
	start := time.Now()
	res = Result{Name: filepath.Base(dir), Dir: dir}
	defer func() {
		res.Time = time.Since(start)
		if p := recover(); p != nil {
			res.Status, res.Detail = Error, fmt.Sprintf("panic: %v", p)
		}
	}()
	timeout := r.Timeout
	if timeout == 0 {
		timeout = time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	loader := importer.Loader{Registry: r.Registry}
	m, err := loader.Load(filepath.Join(dir, "model.onnx"))
	if m != nil {
		res.Ops = opTypes(m.Graph)
	} else if ops, perr := peekOps(filepath.Join(dir, "model.onnx")); perr == nil {
		res.Ops = ops
	}
	if err != nil {
		res.Status, res.Detail = Error, err.Error()
		return res
	}
	for _, vi := range append(append([]runtime.ValueInfo{}, m.Graph.Inputs...), m.Graph.Outputs...) {
		if vi.Kind != runtime.KindTensor {
			res.Status, res.Detail = Skip, fmt.Sprintf("value %q is not a tensor", vi.Name)
			return res
		}
	}
	compiled, err := runtime.Compile(m.Graph, r.Registry, runtime.Options{})
	if err != nil {
		res.Status, res.Detail = Error, err.Error()
		return res
	}
	sets, _ := filepath.Glob(filepath.Join(dir, "test_data_set_*"))
	sort.Strings(sets)
	if len(sets) == 0 {
		res.Status, res.Detail = Error, "no test_data_set_* folders"
		return res
	}
	tol := r.Tol
	if tol == (Tolerances{}) {
		tol = DefaultTolerances
	}
	for _, set := range sets {
		detail, status := runSet(ctx, compiled, m.Graph, set, tol)
		if status != Pass {
			res.Status, res.Detail = status, filepath.Base(set)+": "+detail
			return res
		}
	}
	res.Status = Pass
	return res
}

func runSet(ctx context.Context, m *runtime.Model, g *runtime.Graph, set string, tol Tolerances) (string, Status) {
	// Inputs are positional over the graph inputs that have no
	// initializer (the node tests list no initializers as inputs).
	var inNames []string
	for _, in := range g.Inputs {
		if _, isInit := g.Initializers[in.Name]; !isInit {
			inNames = append(inNames, in.Name)
		}
	}
	inputs := map[string]*tensor.Tensor{}
	for k := 0; ; k++ {
		p := filepath.Join(set, fmt.Sprintf("input_%d.pb", k))
		if _, err := os.Stat(p); err != nil {
			break
		}
		if k >= len(inNames) {
			return fmt.Sprintf("input_%d.pb has no matching graph input", k), Error
		}
		t, err := ReadTensor(p)
		if errors.Is(err, errSkip) {
			return err.Error(), Skip
		}
		if err != nil {
			return err.Error(), Error
		}
		inputs[inNames[k]] = asDeclared(t, declaredDType(g.Inputs, inNames[k]))
	}
	out, err := m.Run(ctx, inputs)
	if err != nil {
		return err.Error(), Error
	}
	for k, o := range g.Outputs {
		p := filepath.Join(set, fmt.Sprintf("output_%d.pb", k))
		want, err := ReadTensor(p)
		if errors.Is(err, errSkip) {
			return err.Error(), Skip
		}
		if err != nil {
			return err.Error(), Error
		}
		want = asDeclared(want, o.DType)
		if msg := Compare(out[o.Name], want, tol); msg != "" {
			return fmt.Sprintf("output %q: %s", o.Name, msg), Fail
		}
	}
	return "", Pass
}

// ReadTensor reads a serialized TensorProto file.
func ReadTensor(path string) (*tensor.Tensor, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	tp := &onnxpb.TensorProto{}
	if err := proto.Unmarshal(b, tp); err != nil {
		return nil, fmt.Errorf("%s: %w: %v", path, importer.ErrMalformed, err)
	}
	if tp.DataType == nil && len(tp.Dims) == 0 && tp.RawData == nil {
		// A SequenceProto/OptionalProto/MapProto parses as an empty tensor.
		return nil, fmt.Errorf("%w: %s holds a sequence, map or optional", errSkip, filepath.Base(path))
	}
	t, err := tensorpb.Decode(tp, 0)
	if errors.Is(err, tensorpb.ErrUnsupportedType) {
		return nil, fmt.Errorf("%w: %v", errSkip, err)
	}
	return t, err
}

// declaredDType returns the dtype the graph declares for the named value.
func declaredDType(vis []runtime.ValueInfo, name string) tensor.DType {
	for _, vi := range vis {
		if vi.Name == name {
			return vi.DType
		}
	}
	return tensor.Undefined
}

// asDeclared reinterprets a uint16 data file as bfloat16 where the model
// declares bfloat16: the ONNX 1.12 generator wrote bfloat16 test data as
// UINT16 tensors holding the bit patterns.
func asDeclared(t *tensor.Tensor, declared tensor.DType) *tensor.Tensor {
	if t == nil || declared != tensor.BFloat16 || t.DType() != tensor.Uint16 {
		return t
	}
	u := tensor.Data[uint16](t)
	b := make([]tensor.BF16, len(u))
	for i, v := range u {
		b[i] = tensor.BF16(v)
	}
	r, err := tensor.FromSlice(t.Shape(), b)
	if err != nil {
		return t
	}
	return r
}

func opTypes(g *runtime.Graph) []string {
	seen := map[string]bool{}
	var ops []string
	for _, n := range g.Nodes {
		name := n.OpType
		if d := n.Domain; d != "" && d != "ai.onnx" {
			name = d + "::" + name
		}
		if !seen[name] {
			seen[name] = true
			ops = append(ops, name)
		}
	}
	return ops
}

// peekOps lists op types of a model that failed to import.
func peekOps(path string) ([]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	mp := &onnxpb.ModelProto{}
	if err := proto.Unmarshal(b, mp); err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var ops []string
	for _, n := range mp.GetGraph().GetNode() {
		name := n.GetOpType()
		if d := n.GetDomain(); d != "" && d != "ai.onnx" {
			name = d + "::" + name
		}
		if !seen[name] {
			seen[name] = true
			ops = append(ops, name)
		}
	}
	return ops, nil
}

// Summary formats "N passed, N failed, N skipped" (errors count as
// failures).
func Summary(results []Result) string {
	var pass, fail, skip int
	for _, r := range results {
		switch r.Status {
		case Pass:
			pass++
		case Skip:
			skip++
		default:
			fail++
		}
	}
	return fmt.Sprintf("%d passed, %d failed, %d skipped", pass, fail, skip)
}

// Line formats one result for a terminal.
func Line(r Result) string {
	s := fmt.Sprintf("%-5s %s", r.Status, r.Name)
	if r.Detail != "" {
		d := r.Detail
		if len(d) > 300 {
			d = d[:300] + "..."
		}
		s += ": " + strings.ReplaceAll(d, "\n", " ")
	}
	return s
}

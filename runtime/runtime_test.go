package runtime_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/optnet-go/optnet/ops/std"
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

func stdRegistry(t testing.TB) *runtime.Registry {
	r := runtime.NewRegistry()
	if err := std.Register(r); err != nil {
		t.Fatal(err)
	}
	return r
}

func f32(shape []int, v ...float32) *tensor.Tensor { return tensor.MustFromSlice(shape, v) }

func vi(name string, dims ...int64) runtime.ValueInfo {
	v := runtime.ValueInfo{Name: name, DType: tensor.Float32, Shape: []runtime.Dim{}}
	for _, d := range dims {
		if d < 0 {
			v.Shape = append(v.Shape, runtime.Dim{Param: "n"})
		} else {
			v.Shape = append(v.Shape, runtime.Dim{Value: d})
		}
	}
	return v
}

func node(op string, in []string, out ...string) *runtime.Node {
	return &runtime.Node{Name: op + "_" + out[0], OpType: op, Inputs: in, Outputs: out}
}

// y = relu(x + w), z = x + y
func smallGraph() *runtime.Graph {
	return &runtime.Graph{
		Name:   "small",
		Inputs: []runtime.ValueInfo{vi("x", -1, 3)},
		Outputs: []runtime.ValueInfo{
			{Name: "y"}, {Name: "z"},
		},
		Initializers: map[string]*tensor.Tensor{"w": f32([]int{3}, -1, 0, 1)},
		Opsets:       map[string]int{"": 17},
		Nodes: []*runtime.Node{
			node("Add", []string{"x", "w"}, "s"),
			node("Relu", []string{"s"}, "y"),
			node("Add", []string{"x", "y"}, "z"),
		},
	}
}

func TestRunSmallGraph(t *testing.T) {
	m, err := runtime.Compile(smallGraph(), stdRegistry(t), runtime.Options{})
	if err != nil {
		t.Fatal(err)
	}
	out, err := m.Run(context.Background(), map[string]*tensor.Tensor{"x": f32([]int{2, 3}, 0, 0, 0, 1, -1, -5)})
	if err != nil {
		t.Fatal(err)
	}
	wantY := []float32{0, 0, 1, 0, 0, 0}
	wantZ := []float32{0, 0, 1, 1, -1, -5}
	for i := range wantY {
		if tensor.Data[float32](out["y"])[i] != wantY[i] || tensor.Data[float32](out["z"])[i] != wantZ[i] {
			t.Fatalf("y=%v z=%v", tensor.Data[float32](out["y"]), tensor.Data[float32](out["z"]))
		}
	}
	// Shape inference reached the outputs: (n, 3) with n unknown.
	outs := m.Outputs()
	if outs[0].DType != tensor.Float32 || len(outs[0].Shape) != 2 || outs[0].Shape[1].Value != 3 {
		t.Fatalf("inferred output %+v", outs[0])
	}
}

func TestNodesAreSortedTopologically(t *testing.T) {
	g := smallGraph()
	g.Nodes[0], g.Nodes[2] = g.Nodes[2], g.Nodes[0]
	m, err := runtime.Compile(g, stdRegistry(t), runtime.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Run(context.Background(), map[string]*tensor.Tensor{"x": f32([]int{1, 3}, 1, 2, 3)}); err != nil {
		t.Fatal(err)
	}
}

func TestInvalidGraphs(t *testing.T) {
	reg := stdRegistry(t)
	cases := map[string]func(g *runtime.Graph){
		"cycle": func(g *runtime.Graph) {
			g.Nodes[0].Inputs = []string{"x", "z"}
		},
		"undefined input": func(g *runtime.Graph) {
			g.Nodes[1].Inputs = []string{"nope"}
		},
		"duplicate output": func(g *runtime.Graph) {
			g.Nodes[2].Outputs = []string{"y"}
		},
		"output shadows initializer": func(g *runtime.Graph) {
			g.Nodes[0].Outputs = []string{"w"}
		},
		"missing graph output": func(g *runtime.Graph) {
			g.Outputs = append(g.Outputs, runtime.ValueInfo{Name: "ghost"})
		},
		"wrong arity": func(g *runtime.Graph) {
			g.Nodes[1].Inputs = []string{"s", "x"}
		},
		"self loop": func(g *runtime.Graph) {
			g.Nodes[1].Inputs = []string{"y"}
		},
	}
	for name, mutate := range cases {
		t.Run(name, func(t *testing.T) {
			g := smallGraph()
			mutate(g)
			_, err := runtime.Compile(g, reg, runtime.Options{})
			if !errors.Is(err, runtime.ErrInvalidGraph) {
				t.Fatalf("want ErrInvalidGraph, got %v", err)
			}
		})
	}
}

func TestUnsupportedOpsListedTogether(t *testing.T) {
	g := smallGraph()
	g.Nodes = append(g.Nodes,
		node("FancyOp", []string{"x"}, "f1"),
		&runtime.Node{Name: "c", OpType: "Custom", Domain: "com.example", Inputs: []string{"x"}, Outputs: []string{"f2"}},
		node("FancyOp", []string{"x"}, "f3"))
	_, err := runtime.Compile(g, stdRegistry(t), runtime.Options{})
	var ue *runtime.UnsupportedError
	if !errors.As(err, &ue) || !errors.Is(err, runtime.ErrUnsupportedOp) {
		t.Fatalf("want UnsupportedError, got %v", err)
	}
	if len(ue.Ops) != 2 || ue.Ops[0].OpType != "FancyOp" || len(ue.Ops[0].Nodes) != 2 {
		t.Fatalf("want 2 ops (FancyOp used twice), got %+v", ue.Ops)
	}
	if !strings.Contains(err.Error(), "com.example::Custom") || !strings.Contains(err.Error(), "ai.onnx::FancyOp (opset 17)") {
		t.Fatalf("message %q", err)
	}
}

// panicOp panics at run time, like a buggy kernel would.
var panicOp = &runtime.Op{Domain: "test", Type: "Panic", Since: 1, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1},
	Build: func(*runtime.BuildContext) (runtime.Kernel, error) {
		return runtime.KernelFunc(func(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
			var s []int
			_ = s[len(in)+2] // index out of range
			return nil, nil
		}), nil
	}}

// blockOp waits until the run is cancelled.
var blockOp = &runtime.Op{Domain: "test", Type: "Block", Since: 1, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1},
	Build: func(*runtime.BuildContext) (runtime.Kernel, error) {
		return runtime.KernelFunc(func(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
			<-rc.Context().Done()
			return []*tensor.Tensor{in[0]}, nil
		}), nil
	}}

func TestPanickingOpBecomesError(t *testing.T) {
	reg := stdRegistry(t)
	reg.MustRegister(panicOp)
	g := smallGraph()
	g.Opsets["test"] = 1
	g.Nodes[1] = &runtime.Node{Name: "buggy", OpType: "Panic", Domain: "test", Inputs: []string{"s"}, Outputs: []string{"y"}}
	m, err := runtime.Compile(g, reg, runtime.Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = m.Run(context.Background(), map[string]*tensor.Tensor{"x": f32([]int{1, 3}, 1, 2, 3)})
	var ne *runtime.NodeError
	if !errors.Is(err, runtime.ErrInternal) || !errors.As(err, &ne) || ne.Node != "buggy" {
		t.Fatalf("want internal NodeError naming buggy, got %v", err)
	}
	if !strings.Contains(err.Error(), "float32(1, 3)") {
		t.Fatalf("error should show input shapes: %v", err)
	}
}

func TestCancellation(t *testing.T) {
	reg := stdRegistry(t)
	reg.MustRegister(blockOp)
	g := smallGraph()
	g.Opsets["test"] = 1
	g.Nodes[1] = &runtime.Node{Name: "wait", OpType: "Block", Domain: "test", Inputs: []string{"s"}, Outputs: []string{"y"}}
	m, err := runtime.Compile(g, reg, runtime.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() {
		_, err := m.Run(ctx, map[string]*tensor.Tensor{"x": f32([]int{1, 3}, 1, 2, 3)})
		done <- err
	}()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("want context.Canceled, got %v", err)
	}
}

func TestInputValidation(t *testing.T) {
	m, err := runtime.Compile(smallGraph(), stdRegistry(t), runtime.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]map[string]*tensor.Tensor{
		"missing":     {},
		"nil":         {"x": nil},
		"wrong dtype": {"x": tensor.MustFromSlice([]int{1, 3}, []float64{1, 2, 3})},
		"wrong rank":  {"x": f32([]int{3}, 1, 2, 3)},
		"wrong dim":   {"x": f32([]int{1, 2}, 1, 2)},
		"unknown":     {"x": f32([]int{1, 3}, 1, 2, 3), "extra": f32([]int{1}, 1)},
	}
	for name, in := range cases {
		_, err := m.Run(context.Background(), in)
		var ie *runtime.InputError
		if !errors.Is(err, runtime.ErrInput) || !errors.As(err, &ie) {
			t.Errorf("%s: want InputError, got %v", name, err)
		}
	}
}

func TestConstantFolding(t *testing.T) {
	g := &runtime.Graph{
		Inputs:  []runtime.ValueInfo{vi("x", 2)},
		Outputs: []runtime.ValueInfo{{Name: "y"}},
		Initializers: map[string]*tensor.Tensor{
			"a": f32([]int{2}, 1, 2), "b": f32([]int{2}, 10, 20),
		},
		Nodes: []*runtime.Node{
			node("Add", []string{"a", "b"}, "ab"),
			node("Relu", []string{"ab"}, "r"),
			node("Add", []string{"x", "r"}, "y"),
		},
	}
	reg := stdRegistry(t)
	m, err := runtime.Compile(g, reg, runtime.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if m.NumSteps() != 1 {
		t.Fatalf("folding left %d steps, want 1", m.NumSteps())
	}
	// Variables are not folded and can be overridden per run.
	mv, err := runtime.Compile(g, reg, runtime.Options{Variables: []string{"a"}})
	if err != nil {
		t.Fatal(err)
	}
	if mv.NumSteps() != 3 {
		t.Fatalf("with a variable, %d steps, want 3", mv.NumSteps())
	}
	out, err := mv.Run(context.Background(), map[string]*tensor.Tensor{"x": f32([]int{2}, 0, 0), "a": f32([]int{2}, -100, 5)})
	if err != nil {
		t.Fatal(err)
	}
	if got := tensor.Data[float32](out["y"]); got[0] != 0 || got[1] != 25 {
		t.Fatalf("override: %v", got)
	}
	out, err = mv.Run(context.Background(), map[string]*tensor.Tensor{"x": f32([]int{2}, 0, 0)})
	if err != nil || tensor.Data[float32](out["y"])[1] != 22 {
		t.Fatalf("default: %v %v", out, err)
	}
}

func boolScalar(b bool) *tensor.Tensor { return tensor.Scalar(b) }

// ifGraph: out = If(c) { then: x + w (reads outer x and w); else: inner If
// reading x from two levels up }.
func ifGraph() *runtime.Graph {
	inner := &runtime.Graph{
		Name:    "inner_then",
		Outputs: []runtime.ValueInfo{{Name: "ii"}},
		Nodes:   []*runtime.Node{node("Relu", []string{"x"}, "ii")},
	}
	innerElse := &runtime.Graph{
		Name:    "inner_else",
		Outputs: []runtime.ValueInfo{{Name: "ie"}},
		Nodes:   []*runtime.Node{node("Identity", []string{"x"}, "ie")},
	}
	then := &runtime.Graph{
		Name:    "then",
		Outputs: []runtime.ValueInfo{{Name: "t"}},
		Nodes:   []*runtime.Node{node("Add", []string{"x", "w"}, "t")},
	}
	els := &runtime.Graph{
		Name:    "else",
		Outputs: []runtime.ValueInfo{{Name: "e"}},
		Nodes: []*runtime.Node{{Name: "inner_if", OpType: "If", Inputs: []string{"c"}, Outputs: []string{"e"},
			Attrs: []runtime.Attribute{
				{Name: "then_branch", Kind: runtime.AttrGraph, Graph: inner},
				{Name: "else_branch", Kind: runtime.AttrGraph, Graph: innerElse},
			}}},
	}
	return &runtime.Graph{
		Inputs:       []runtime.ValueInfo{vi("x", 2), {Name: "c", DType: tensor.Bool, Shape: []runtime.Dim{}}},
		Outputs:      []runtime.ValueInfo{{Name: "out"}},
		Initializers: map[string]*tensor.Tensor{"w": f32([]int{2}, 100, 200)},
		Nodes: []*runtime.Node{
			{Name: "if", OpType: "If", Inputs: []string{"c"}, Outputs: []string{"out"},
				Attrs: []runtime.Attribute{
					{Name: "then_branch", Kind: runtime.AttrGraph, Graph: then},
					{Name: "else_branch", Kind: runtime.AttrGraph, Graph: els},
				}},
		},
	}
}

func TestIfCapturesOuterValues(t *testing.T) {
	m, err := runtime.Compile(ifGraph(), stdRegistry(t), runtime.Options{})
	if err != nil {
		t.Fatal(err)
	}
	x := f32([]int{2}, -1, 2)
	for _, c := range []struct {
		cond bool
		want []float32
	}{{true, []float32{99, 202}}, {false, []float32{-1, 2}}} {
		out, err := m.Run(context.Background(), map[string]*tensor.Tensor{"x": x, "c": boolScalar(c.cond)})
		if err != nil {
			t.Fatal(err)
		}
		got := tensor.Data[float32](out["out"])
		if got[0] != c.want[0] || got[1] != c.want[1] {
			t.Fatalf("cond=%v: got %v want %v", c.cond, got, c.want)
		}
	}
}

func TestConcurrentRuns(t *testing.T) {
	m, err := runtime.Compile(ifGraph(), stdRegistry(t), runtime.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				v := float32(g*1000 + i)
				out, err := m.Run(context.Background(), map[string]*tensor.Tensor{"x": f32([]int{2}, v, -v), "c": boolScalar(i%2 == 0)})
				if err != nil {
					errs <- err
					return
				}
				got := tensor.Data[float32](out["out"])
				want := []float32{v, -v}
				if i%2 == 0 {
					want = []float32{v + 100, -v + 200}
				}
				if got[0] != want[0] || got[1] != want[1] {
					errs <- fmt.Errorf("goroutine %d run %d: got %v want %v", g, i, got, want)
					return
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

func TestRegistryVersionBinding(t *testing.T) {
	r := runtime.NewRegistry()
	mk := func(since int) *runtime.Op {
		return &runtime.Op{Domain: "d", Type: "T", Since: since, Outputs: [2]int{1, 1},
			Build: func(*runtime.BuildContext) (runtime.Kernel, error) { return nil, nil }}
	}
	r.MustRegister(mk(1), mk(7), mk(13))
	for v, want := range map[int]int{1: 1, 6: 1, 7: 7, 12: 7, 13: 13, 99: 13} {
		op, ok := r.Lookup("d", "T", v)
		if !ok || op.Since != want {
			t.Errorf("version %d bound to %v, want %d", v, op, want)
		}
	}
	if err := r.Register(mk(7)); err == nil {
		t.Error("duplicate registration accepted")
	}
	if _, ok := r.Lookup("d", "T", 0); ok {
		t.Error("version 0 should not bind")
	}
}

// A node that leaves out an input the op requires is an invalid graph
// (found by FuzzRun: Add("", "") crashed constant folding).
func TestOmittedRequiredInput(t *testing.T) {
	g := smallGraph()
	g.Nodes[0].Inputs = []string{"", ""}
	if _, err := runtime.Compile(g, stdRegistry(t), runtime.Options{}); !errors.Is(err, runtime.ErrInvalidGraph) {
		t.Fatalf("want ErrInvalidGraph, got %v", err)
	}
	g = smallGraph()
	g.Nodes[1] = node("Identity", []string{""}, "y")
	if _, err := runtime.Compile(g, stdRegistry(t), runtime.Options{}); !errors.Is(err, runtime.ErrInvalidGraph) {
		t.Fatalf("Identity: want ErrInvalidGraph, got %v", err)
	}
}

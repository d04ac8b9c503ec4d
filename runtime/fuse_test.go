package runtime_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// The test domain's "Lin" computes y = a·x + b (+ the extra inputs it
// absorbed); its kernel fuses with a following Lin (composing the maps) or
// AddT (a second tensor, which becomes an extra input). "Twice" fuses with
// anything and fails.

type linKernel struct {
	a, b  float32
	extra int // absorbed AddT inputs, after x
	runs  *atomic.Int32
}

func (k *linKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	k.runs.Add(1)
	if len(in) != 1+k.extra {
		return nil, errors.New("wrong input count")
	}
	x := tensor.Data[float32](in[0])
	y := make([]float32, len(x))
	for i, v := range x {
		y[i] = k.a*v + k.b
		for _, e := range in[1:] {
			y[i] += tensor.Data[float32](e)[i]
		}
	}
	return []*tensor.Tensor{tensor.MustFromSlice(in[0].Shape(), y)}, nil
}

func (k *linKernel) Fuse(next *runtime.BuildContext, pos int) (runtime.Kernel, error) {
	switch next.Node.OpType {
	case "Lin":
		if k.extra > 0 {
			return nil, nil
		}
		a, b := next.Float("a", 1), next.Float("b", 0)
		return &linKernel{a: a * k.a, b: a*k.b + b, runs: k.runs}, nil
	case "AddT":
		return &linKernel{a: k.a, b: k.b, extra: k.extra + 1, runs: k.runs}, nil
	}
	return nil, nil
}

// Backward: dx = a·dy (only for unfused kernels).
func (k *linKernel) Backward(rc *runtime.RunContext, f *runtime.Forward, g []*tensor.Tensor) ([]*tensor.Tensor, error) {
	gy := tensor.Data[float32](g[0])
	dx := make([]float32, len(gy))
	for i, v := range gy {
		dx[i] = k.a * v
	}
	return []*tensor.Tensor{tensor.MustFromSlice(g[0].Shape(), dx)}, nil
}

type addTKernel struct{ runs *atomic.Int32 }

func (k addTKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	k.runs.Add(1)
	a, b := tensor.Data[float32](in[0]), tensor.Data[float32](in[1])
	y := make([]float32, len(a))
	for i := range y {
		y[i] = a[i] + b[i]
	}
	return []*tensor.Tensor{tensor.MustFromSlice(in[0].Shape(), y)}, nil
}

type badFuser struct{}

func (badFuser) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	return in, nil
}

func (badFuser) Fuse(next *runtime.BuildContext, pos int) (runtime.Kernel, error) {
	panic("broken fuser")
}

func fuseRegistry(t *testing.T, runs *atomic.Int32) *runtime.Registry {
	r := runtime.NewRegistry()
	r.MustRegister(
		&runtime.Op{Domain: "test", Type: "Lin", Since: 1, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1},
			Build: func(b *runtime.BuildContext) (runtime.Kernel, error) {
				return &linKernel{a: b.Float("a", 1), b: b.Float("b", 0), runs: runs}, b.Err()
			}},
		&runtime.Op{Domain: "test", Type: "AddT", Since: 1, Inputs: [2]int{2, 2}, Outputs: [2]int{1, 1},
			Build: func(b *runtime.BuildContext) (runtime.Kernel, error) { return addTKernel{runs}, nil }},
		&runtime.Op{Domain: "test", Type: "Bad", Since: 1, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1},
			Build: func(b *runtime.BuildContext) (runtime.Kernel, error) { return badFuser{}, nil }},
	)
	return r
}

func lin(in, out string, a, b float32) *runtime.Node {
	return &runtime.Node{Name: out, OpType: "Lin", Domain: "test", Inputs: []string{in}, Outputs: []string{out},
		Attrs: []runtime.Attribute{{Name: "a", Kind: runtime.AttrFloat, Float: a}, {Name: "b", Kind: runtime.AttrFloat, Float: b}}}
}

// y = Lin(Lin(x)) + r, v = Lin(x) read twice: u = v + v.
func fuseGraph() *runtime.Graph {
	return &runtime.Graph{
		Inputs:  []runtime.ValueInfo{vi("x", 3), vi("r", 3)},
		Outputs: []runtime.ValueInfo{{Name: "y"}, {Name: "u"}},
		Opsets:  map[string]int{"test": 1},
		Nodes: []*runtime.Node{
			lin("x", "h", 2, 1),
			lin("h", "k", 3, -1),
			{Name: "y", OpType: "AddT", Domain: "test", Inputs: []string{"r", "k"}, Outputs: []string{"y"}},
			lin("x", "v", -1, 0),
			{Name: "u", OpType: "AddT", Domain: "test", Inputs: []string{"v", "v"}, Outputs: []string{"u"}},
		},
	}
}

func TestFusionPass(t *testing.T) {
	var runs atomic.Int32
	reg := fuseRegistry(t, &runs)
	m, err := runtime.Compile(fuseGraph(), reg, runtime.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Lin→Lin→AddT fuse into one step; v is read twice, so Lin(x)→v and
	// the AddT reading it stay.
	if m.NumSteps() != 3 {
		t.Fatalf("%d steps after fusion, want 3", m.NumSteps())
	}
	plain, err := runtime.Compile(fuseGraph(), reg, runtime.Options{NoFuse: true})
	if err != nil {
		t.Fatal(err)
	}
	if plain.NumSteps() != 5 {
		t.Fatalf("%d steps without fusion, want 5", plain.NumSteps())
	}
	in := map[string]*tensor.Tensor{"x": f32([]int{3}, 1, 2, 3), "r": f32([]int{3}, 10, 20, 30)}
	check := func(out map[string]*tensor.Tensor) {
		t.Helper()
		// y = 3(2x+1)-1 + r, u = -2x.
		wantY := []float32{18, 34, 50}
		wantU := []float32{-2, -4, -6}
		for i := range wantY {
			if tensor.Data[float32](out["y"])[i] != wantY[i] || tensor.Data[float32](out["u"])[i] != wantU[i] {
				t.Fatalf("y=%v u=%v", tensor.Data[float32](out["y"]), tensor.Data[float32](out["u"]))
			}
		}
	}
	ctx := context.Background()
	runs.Store(0)
	out, err := m.Run(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	check(out)
	if runs.Load() != 3 {
		t.Fatalf("inference ran %d kernels, want 3", runs.Load())
	}
	// The per-step profile sees the fused steps.
	var types []string
	_, err = m.RunWith(ctx, in, runtime.RunOptions{StepDone: func(op, node string, d time.Duration) {
		types = append(types, op+" "+node)
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(types) != 3 || types[0] != "Lin+Lin+AddT h+k+y" {
		t.Fatalf("steps %q", types)
	}
	// Training runs and gradients use the graph as written.
	runs.Store(0)
	out, err = m.RunWith(ctx, in, runtime.RunOptions{Training: true})
	if err != nil {
		t.Fatal(err)
	}
	check(out)
	if runs.Load() != 5 {
		t.Fatalf("training ran %d kernels, want 5", runs.Load())
	}
	if f, ok := m.Fact("k"); !ok || f.DType != tensor.Undefined && f.DType != tensor.Float32 {
		t.Fatalf("fact of a fused-away value: %+v %v", f, ok)
	}
}

func TestFusionKeepsGraphOutputs(t *testing.T) {
	var runs atomic.Int32
	g := fuseGraph()
	g.Outputs = append(g.Outputs, runtime.ValueInfo{Name: "h"})
	m, err := runtime.Compile(g, fuseRegistry(t, &runs), runtime.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// h is an output: Lin(x)→h stays; Lin(h)→k still fuses with AddT.
	if m.NumSteps() != 4 {
		t.Fatalf("%d steps, want 4", m.NumSteps())
	}
	out, err := m.Run(context.Background(), map[string]*tensor.Tensor{"x": f32([]int{3}, 1, 2, 3), "r": f32([]int{3}, 0, 0, 0)})
	if err != nil {
		t.Fatal(err)
	}
	if h := tensor.Data[float32](out["h"]); h[0] != 3 || h[2] != 7 {
		t.Fatalf("h = %v", h)
	}
}

func TestFusionPanicIsCompileError(t *testing.T) {
	var runs atomic.Int32
	g := &runtime.Graph{
		Inputs:  []runtime.ValueInfo{vi("x", 3)},
		Outputs: []runtime.ValueInfo{{Name: "y"}},
		Opsets:  map[string]int{"test": 1},
		Nodes: []*runtime.Node{
			{Name: "bad", OpType: "Bad", Domain: "test", Inputs: []string{"x"}, Outputs: []string{"h"}},
			lin("h", "y", 1, 0),
		},
	}
	_, err := runtime.Compile(g, fuseRegistry(t, &runs), runtime.Options{})
	if !errors.Is(err, runtime.ErrInternal) {
		t.Fatalf("got %v, want an internal error", err)
	}
	if _, err := runtime.Compile(g, fuseRegistry(t, &runs), runtime.Options{NoFuse: true}); err != nil {
		t.Fatalf("without fusion: %v", err)
	}
}

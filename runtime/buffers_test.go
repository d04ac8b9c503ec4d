package runtime_test

import (
	"context"
	"sync"
	"testing"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// Test ops: "Shift" y = x + c into a recycled buffer (every element
// written), "View" returns its input itself, "Sum2" y = a + b (fresh).
func bufRegistry(t *testing.T) *runtime.Registry {
	r := runtime.NewRegistry()
	r.MustRegister(
		&runtime.Op{Domain: "test", Type: "Shift", Since: 1, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1},
			Build: func(b *runtime.BuildContext) (runtime.Kernel, error) {
				c := b.Float("c", 0)
				return runtime.KernelFunc(func(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
					y, err := rc.Buffer(tensor.Float32, in[0].Shape()...)
					if err != nil {
						return nil, err
					}
					yd := tensor.Data[float32](y)
					for i, v := range tensor.Data[float32](in[0]) {
						yd[i] = v + c
					}
					return []*tensor.Tensor{y}, nil
				}), b.Err()
			}},
		&runtime.Op{Domain: "test", Type: "View", Since: 1, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1},
			Build: func(b *runtime.BuildContext) (runtime.Kernel, error) {
				return runtime.KernelFunc(func(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
					return []*tensor.Tensor{in[0]}, nil
				}), nil
			}},
		&runtime.Op{Domain: "test", Type: "Sum2", Since: 1, Inputs: [2]int{2, 2}, Outputs: [2]int{1, 1},
			Build: func(b *runtime.BuildContext) (runtime.Kernel, error) {
				return runtime.KernelFunc(func(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
					a, c := tensor.Data[float32](in[0]), tensor.Data[float32](in[1])
					y := make([]float32, len(a))
					for i := range y {
						y[i] = a[i] + c[i]
					}
					return []*tensor.Tensor{tensor.MustFromSlice(in[0].Shape(), y)}, nil
				}), nil
			}},
	)
	return r
}

func shift(in, out string, c float32) *runtime.Node {
	return &runtime.Node{Name: out, OpType: "Shift", Domain: "test", Inputs: []string{in}, Outputs: []string{out},
		Attrs: []runtime.Attribute{{Name: "c", Kind: runtime.AttrFloat, Float: c}}}
}

func tnode(op string, in []string, out string) *runtime.Node {
	return &runtime.Node{Name: out, OpType: op, Domain: "test", Inputs: in, Outputs: []string{out}}
}

// bufGraph: a = x+1; v = view(a); b = x+2 (may reuse a's storage only if
// v were not counted); c = b+3; d = v + c; e = c+4 (reuses b's storage
// once b is released); y = d + e; also output o = x+5.
//
// y = (x+1) + (x+5) + (x+9) = 3x + 15, o = x + 5.
func bufGraph() *runtime.Graph {
	return &runtime.Graph{
		Inputs:  []runtime.ValueInfo{vi("x", 4)},
		Outputs: []runtime.ValueInfo{{Name: "y"}, {Name: "o"}},
		Opsets:  map[string]int{"test": 1},
		Nodes: []*runtime.Node{
			shift("x", "a", 1),
			tnode("View", []string{"a"}, "v"),
			shift("x", "b", 2),
			shift("b", "c", 3),
			tnode("Sum2", []string{"v", "c"}, "d"),
			shift("c", "e", 4),
			tnode("Sum2", []string{"d", "e"}, "y"),
			shift("x", "o", 5),
		},
	}
}

func checkBufGraph(t *testing.T, x []float32, out map[string]*tensor.Tensor) {
	t.Helper()
	y, o := tensor.Data[float32](out["y"]), tensor.Data[float32](out["o"])
	for i, v := range x {
		if y[i] != 3*v+15 || o[i] != v+5 {
			t.Fatalf("x=%v: y=%v o=%v", x, y, o)
		}
	}
}

func TestBuffersRecycledSafely(t *testing.T) {
	m, err := runtime.Compile(bufGraph(), bufRegistry(t), runtime.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	x1 := []float32{1, 2, 3, 4}
	out1, err := m.Run(ctx, map[string]*tensor.Tensor{"x": f32([]int{4}, x1...)})
	if err != nil {
		t.Fatal(err)
	}
	checkBufGraph(t, x1, out1)
	// Later runs recycle the intermediate buffers, never the outputs the
	// caller holds.
	for r := range 5 {
		x := []float32{float32(10 * r), -1, 0.5, 7}
		out, err := m.Run(ctx, map[string]*tensor.Tensor{"x": f32([]int{4}, x...)})
		if err != nil {
			t.Fatal(err)
		}
		checkBufGraph(t, x, out)
		checkBufGraph(t, x1, out1)
	}
}

func TestBuffersConcurrentRuns(t *testing.T) {
	m, err := runtime.Compile(bufGraph(), bufRegistry(t), runtime.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range 200 {
				x := []float32{float32(g), float32(r), -float32(g * r), 1}
				out, err := m.Run(context.Background(), map[string]*tensor.Tensor{"x": f32([]int{4}, x...)})
				if err != nil {
					errs <- err
					return
				}
				y := tensor.Data[float32](out["y"])
				for i, v := range x {
					if y[i] != 3*v+15 {
						errs <- &runtime.InputError{Name: "y", Msg: "wrong value"}
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

func TestBufferOutsideRunsIsZeroed(t *testing.T) {
	rc := runtime.NewRunContext(context.Background(), runtime.RunOptions{})
	b, err := rc.Buffer(tensor.Float32, 3, 2)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range tensor.Data[float32](b) {
		if v != 0 {
			t.Fatalf("eager Buffer not zeroed: %v", tensor.Data[float32](b))
		}
	}
	if _, err := rc.Buffer(tensor.Float32, 1<<40, 1<<20); err == nil {
		t.Fatal("huge Buffer accepted")
	}
}

// TestBuffersWithSubgraphs runs steps that ask for buffers inside If
// branches (not recycled there) and outside, over several runs.
func TestBuffersWithSubgraphs(t *testing.T) {
	reg := stdRegistry(t)
	for _, op := range []string{"Shift", "View", "Sum2"} {
		o, _ := bufRegistry(t).Lookup("test", op, 1)
		reg.MustRegister(o)
	}
	branch := func(name string, c float32) *runtime.Graph {
		return &runtime.Graph{Name: name, Outputs: []runtime.ValueInfo{{Name: name + "_y"}},
			Nodes: []*runtime.Node{shift("x", name+"_a", c), tnode("View", []string{name + "_a"}, name+"_y")}}
	}
	g := &runtime.Graph{
		Inputs:  []runtime.ValueInfo{vi("x", 3), {Name: "c", DType: tensor.Bool, Shape: []runtime.Dim{}}},
		Outputs: []runtime.ValueInfo{{Name: "z"}, {Name: "y"}},
		Opsets:  map[string]int{"": 17, "test": 1},
		Nodes: []*runtime.Node{
			{Name: "if", OpType: "If", Inputs: []string{"c"}, Outputs: []string{"y"},
				Attrs: []runtime.Attribute{
					{Name: "then_branch", Kind: runtime.AttrGraph, Graph: branch("then", 1)},
					{Name: "else_branch", Kind: runtime.AttrGraph, Graph: branch("else", -1)},
				}},
			shift("y", "p", 10),
			shift("x", "q", 20),
			tnode("Sum2", []string{"p", "q"}, "z"),
		},
	}
	m, err := runtime.Compile(g, reg, runtime.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for r := range 6 {
		cond := r%2 == 0
		x := []float32{float32(r), 1, -2}
		out, err := m.Run(context.Background(), map[string]*tensor.Tensor{"x": f32([]int{3}, x...), "c": tensor.Scalar(cond)})
		if err != nil {
			t.Fatal(err)
		}
		d := float32(-1)
		if cond {
			d = 1
		}
		for i, v := range x {
			y, z := tensor.Data[float32](out["y"])[i], tensor.Data[float32](out["z"])[i]
			if y != v+d || z != (v+d+10)+(v+20) {
				t.Fatalf("run %d: y=%v z=%v for x=%v", r, out["y"], out["z"], x)
			}
		}
	}
}

package runtime_test

import (
	"context"
	"errors"
	"math"
	"math/rand"
	"strings"
	"testing"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// fanoutGraph: s = x + w; r = relu(s); z = r + s (s fans out); y = z + b.
func fanoutGraph(w, b *tensor.Tensor) *runtime.Graph {
	return &runtime.Graph{
		Inputs:       []runtime.ValueInfo{{Name: "x", DType: tensor.Float64}},
		Outputs:      []runtime.ValueInfo{{Name: "y"}},
		Initializers: map[string]*tensor.Tensor{"w": w, "b": b},
		Nodes: []*runtime.Node{
			node("Add", []string{"x", "w"}, "s"),
			node("Relu", []string{"s"}, "r"),
			node("Add", []string{"r", "s"}, "z"),
			node("Add", []string{"z", "b"}, "y"),
		},
	}
}

func TestBackwardMatchesFiniteDifferences(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	randT := func(shape ...int) *tensor.Tensor {
		t := tensor.Make[float64](shape...)
		for i := range tensor.Data[float64](t) {
			tensor.Data[float64](t)[i] = rng.Float64()*2 - 1
		}
		return t
	}
	w, b, x := randT(3), randT(2, 1), randT(2, 3)
	seed := randT(2, 3)
	reg := stdRegistry(t)
	m, err := runtime.Compile(fanoutGraph(w, b), reg, runtime.Options{Variables: []string{"w", "b"}})
	if err != nil {
		t.Fatal(err)
	}
	gp, err := m.Differentiate([]string{"y"}, []string{"w", "b", "x"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	_, tape, err := gp.Forward(ctx, map[string]*tensor.Tensor{"x": x}, runtime.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	grads, err := tape.Backward(ctx, map[string]*tensor.Tensor{"y": seed})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tape.Backward(ctx, map[string]*tensor.Tensor{"y": seed}); err == nil {
		t.Fatal("a tape must not be reusable")
	}
	loss := func(in map[string]*tensor.Tensor) float64 {
		out, err := m.Run(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		s := 0.0
		for i, v := range tensor.Data[float64](out["y"]) {
			s += v * tensor.Data[float64](seed)[i]
		}
		return s
	}
	base := map[string]*tensor.Tensor{"x": x, "w": w, "b": b}
	for name, g := range grads {
		if !tensor.SameShape(g.Shape(), base[name].Shape()) {
			t.Fatalf("grad %s shape %v", name, g.Shape())
		}
		for j := range tensor.Data[float64](g) {
			num := func(h float64) float64 {
				in := map[string]*tensor.Tensor{}
				for k, v := range base {
					in[k] = v
				}
				c := base[name].Clone()
				tensor.Data[float64](c)[j] += h
				in[name] = c
				return loss(in)
			}
			fd := (num(1e-6) - num(-1e-6)) / 2e-6
			if got := tensor.Data[float64](g)[j]; math.Abs(got-fd) > 1e-6 {
				t.Errorf("d/d%s[%d] = %v, finite difference %v", name, j, got, fd)
			}
		}
	}
}

var noGradOp = &runtime.Op{Domain: "test", Type: "NoGrad", Since: 1, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1},
	Build: func(*runtime.BuildContext) (runtime.Kernel, error) {
		return runtime.KernelFunc(func(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
			return []*tensor.Tensor{in[0]}, nil
		}), nil
	}}

func TestDifferentiateListsEveryOpWithoutRule(t *testing.T) {
	reg := stdRegistry(t)
	reg.MustRegister(noGradOp, &runtime.Op{Domain: "test", Type: "NoGrad2", Since: 1, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1}, Build: noGradOp.Build})
	g := fanoutGraph(f32([]int{3}, 1, 2, 3), f32([]int{1}, 0))
	g.Opsets = map[string]int{"": 17, "test": 1}
	g.Nodes[1] = &runtime.Node{Name: "n1", OpType: "NoGrad", Domain: "test", Inputs: []string{"s"}, Outputs: []string{"r"}}
	g.Nodes = append(g.Nodes[:3], &runtime.Node{Name: "n2", OpType: "NoGrad2", Domain: "test", Inputs: []string{"z"}, Outputs: []string{"z2"}},
		node("Add", []string{"z2", "b"}, "y"))
	m, err := runtime.Compile(g, reg, runtime.Options{Variables: []string{"w"}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = m.Differentiate([]string{"y"}, []string{"w"})
	var nd *runtime.NotDifferentiableError
	if !errors.As(err, &nd) || !errors.Is(err, runtime.ErrNotDifferentiable) || len(nd.Ops) != 2 {
		t.Fatalf("want both ops listed, got %v", err)
	}
	if !strings.Contains(err.Error(), "test::NoGrad ") || !strings.Contains(err.Error(), "test::NoGrad2") {
		t.Fatalf("message %q", err)
	}
	// The graph input x reaches the output through the same ops.
	if _, err := m.Differentiate([]string{"y"}, []string{"x"}); !errors.Is(err, runtime.ErrNotDifferentiable) {
		t.Fatalf("x flows through NoGrad: %v", err)
	}
}

// passGrad is y = x whose backward returns its upstream gradient itself
// (no copy), as rules such as Identity and Reshape may.
type passGrad struct{}

func (passGrad) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	return []*tensor.Tensor{in[0]}, nil
}

func (passGrad) Backward(rc *runtime.RunContext, f *runtime.Forward, g []*tensor.Tensor) ([]*tensor.Tensor, error) {
	return []*tensor.Tensor{g[0]}, nil
}

// runningSum is y = x with a state input v that a training run replaces
// by v + sum(x) (runtime.StateUpdater).
type runningSum struct{ passGrad }

func (runningSum) UpdatedInputs(f *runtime.Forward) map[int]*tensor.Tensor {
	s := 0.0
	for _, v := range tensor.Data[float64](f.Inputs[0]) {
		s += v
	}
	return map[int]*tensor.Tensor{1: tensor.MustFromSlice([]int{1}, []float64{tensor.Data[float64](f.Inputs[1])[0] + s})}
}

func TestBackwardSharedGradientsAndState(t *testing.T) {
	reg := stdRegistry(t)
	reg.MustRegister(
		&runtime.Op{Domain: "test", Type: "Pass", Since: 1, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1},
			Build: func(*runtime.BuildContext) (runtime.Kernel, error) { return passGrad{}, nil }},
		&runtime.Op{Domain: "test", Type: "RunningSum", Since: 1, Inputs: [2]int{2, 2}, Outputs: [2]int{1, 1},
			Build: func(*runtime.BuildContext) (runtime.Kernel, error) { return runningSum{}, nil }})
	// w fans out three ways through Pass; every rule on the path hands its
	// upstream gradient on unchanged, so all partial gradients are the
	// seed tensor itself until the tape sums them.
	pass := func(in, out string) *runtime.Node {
		return &runtime.Node{Name: out, OpType: "Pass", Domain: "test", Inputs: []string{in}, Outputs: []string{out}}
	}
	g := &runtime.Graph{
		Opsets:       map[string]int{"": 17, "test": 1},
		Inputs:       []runtime.ValueInfo{{Name: "x", DType: tensor.Float64}},
		Outputs:      []runtime.ValueInfo{{Name: "y"}},
		Initializers: map[string]*tensor.Tensor{"w": f64s(1, 2, 3), "v": f64s(10)},
		Nodes: []*runtime.Node{
			{Name: "r", OpType: "RunningSum", Domain: "test", Inputs: []string{"w", "v"}, Outputs: []string{"rw"}},
			pass("rw", "a"), pass("rw", "b"), pass("rw", "c"),
			node("Add", []string{"a", "b"}, "ab"),
			node("Add", []string{"ab", "c"}, "abc"),
			node("Add", []string{"abc", "x"}, "y"),
		},
	}
	m, err := runtime.Compile(g, reg, runtime.Options{Variables: []string{"w", "v"}})
	if err != nil {
		t.Fatal(err)
	}
	gp, err := m.Differentiate([]string{"y"}, []string{"w", "x"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	_, tape, err := gp.Forward(ctx, map[string]*tensor.Tensor{"x": f64s(0, 0, 0)}, runtime.RunOptions{Training: true})
	if err != nil {
		t.Fatal(err)
	}
	seed := f64s(1, 10, 100)
	grads, err := tape.Backward(ctx, map[string]*tensor.Tensor{"y": seed})
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []float64{3, 30, 300} {
		if got := tensor.Data[float64](grads["w"])[i]; got != want {
			t.Fatalf("dw = %v, want [3 30 300]", tensor.Data[float64](grads["w"]))
		}
	}
	if s := tensor.Data[float64](seed); s[0] != 1 || s[1] != 10 || s[2] != 100 {
		t.Fatalf("Backward modified the seed: %v", s)
	}
	if x := tensor.Data[float64](grads["x"]); x[0] != 1 || x[1] != 10 || x[2] != 100 {
		t.Fatalf("dx = %v, want the seed", x)
	}
	// The state update survives Backward's release of the step's record.
	st := tape.UpdatedState()
	if v, ok := st["v"]; !ok || tensor.Data[float64](v)[0] != 16 {
		t.Fatalf("updated state %v, want v = 10 + 1 + 2 + 3", st)
	}
	if _, ok := st["w"]; ok || len(st) != 1 {
		t.Fatalf("updated state %v, want only v", st)
	}
}

func f64s(v ...float64) *tensor.Tensor { return tensor.MustFromSlice([]int{len(v)}, v) }

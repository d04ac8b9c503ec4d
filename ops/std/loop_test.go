package std

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// loopGraph builds: outputs y_final, ys (scan of y), iters (scan of the
// iteration number) = Loop(M, cond, y0) with body y = y + x (x read from the
// outer graph) and the body condition given by condNode (nil: pass the
// incoming condition through).
func loopGraph(withM, withCond bool, condNode *runtime.Node) *runtime.Graph {
	body := &runtime.Graph{
		Name:    "body",
		Inputs:  []runtime.ValueInfo{ctrlInfo("i", tensor.Int64), ctrlInfo("c_in", tensor.Bool), ctrlInfo("y_in", tensor.Float32, 2)},
		Outputs: []runtime.ValueInfo{ctrlInfo("c_out", tensor.Bool), ctrlInfo("y_out", tensor.Float32, 2), ctrlInfo("y_scan", tensor.Float32, 2), ctrlInfo("i_scan", tensor.Int64)},
		Nodes: []*runtime.Node{
			ctrlNode("Add", []string{"y_in", "x"}, []string{"y_out"}),
			ctrlNode("Identity", []string{"y_out"}, []string{"y_scan"}),
			ctrlNode("Identity", []string{"i"}, []string{"i_scan"}),
		},
	}
	if condNode == nil {
		condNode = ctrlNode("Identity", []string{"c_in"}, []string{"c_out"})
	}
	body.Nodes = append(body.Nodes, condNode)
	m, c := "", ""
	inputs := []runtime.ValueInfo{ctrlInfo("x", tensor.Float32, 2), ctrlInfo("y0", tensor.Float32, 2)}
	if withM {
		m = "M"
		inputs = append(inputs, ctrlInfo("M", tensor.Int64))
	}
	if withCond {
		c = "cond"
		inputs = append(inputs, ctrlInfo("cond", tensor.Bool))
	}
	return &runtime.Graph{
		Name:    "main",
		Inputs:  inputs,
		Outputs: []runtime.ValueInfo{{Name: "y"}, {Name: "ys"}, {Name: "iters"}},
		Nodes: []*runtime.Node{ctrlNode("Loop", []string{m, c, "y0"}, []string{"y", "ys", "iters"},
			ctrlGraphAttr("body", body))},
	}
}

func TestLoopForLoop(t *testing.T) {
	x := tensor.MustFromSlice([]int{2}, []float32{1, 10})
	y0 := tensor.MustFromSlice([]int{2}, []float32{0.5, -1})
	out := ctrlRun(t, loopGraph(true, true, nil), 11, map[string]*tensor.Tensor{
		"x": x, "y0": y0, "M": tensor.Scalar(int64(4)), "cond": tensor.Scalar(true)})
	assertClose(t, out["y"], tensor.MustFromSlice([]int{2}, []float32{4.5, 39}), 0, 0)
	assertClose(t, out["ys"], tensor.MustFromSlice([]int{4, 2}, []float32{1.5, 9, 2.5, 19, 3.5, 29, 4.5, 39}), 0, 0)
	assertClose(t, out["iters"], tensor.MustFromSlice([]int{4}, []int64{0, 1, 2, 3}), 0, 0)
	// Trip count only (no cond input).
	out = ctrlRun(t, loopGraph(true, false, nil), 13, map[string]*tensor.Tensor{
		"x": x, "y0": y0, "M": tensor.Scalar(int64(2))})
	assertClose(t, out["y"], tensor.MustFromSlice([]int{2}, []float32{2.5, 19}), 0, 0)
}

func TestLoopWhileCondition(t *testing.T) {
	// cond_out = i < 2: iterations 0, 1, 2 run, the last one returns false.
	g := loopGraph(false, true, ctrlNode("Less", []string{"i", "two"}, []string{"c_out"}))
	body := g.Nodes[0].Attrs[0].Graph
	body.Initializers = map[string]*tensor.Tensor{"two": tensor.Scalar(int64(2))}
	x := tensor.MustFromSlice([]int{2}, []float32{1, 1})
	out := ctrlRun(t, g, 11, map[string]*tensor.Tensor{"x": x, "y0": tensor.Make[float32](2), "cond": tensor.Scalar(true)})
	assertClose(t, out["iters"], tensor.MustFromSlice([]int{3}, []int64{0, 1, 2}), 0, 0)
	assertClose(t, out["y"], tensor.MustFromSlice([]int{2}, []float32{3, 3}), 0, 0)
	// The body condition also stops a loop given only a trip count.
	g = loopGraph(true, false, ctrlNode("Less", []string{"i", "two"}, []string{"c_out"}))
	g.Nodes[0].Attrs[0].Graph.Initializers = map[string]*tensor.Tensor{"two": tensor.Scalar(int64(2))}
	out = ctrlRun(t, g, 11, map[string]*tensor.Tensor{"x": x, "y0": tensor.Make[float32](2), "M": tensor.Scalar(int64(100))})
	assertClose(t, out["iters"], tensor.MustFromSlice([]int{3}, []int64{0, 1, 2}), 0, 0)
}

func TestLoopZeroIterations(t *testing.T) {
	x := tensor.MustFromSlice([]int{2}, []float32{1, 10})
	y0 := tensor.MustFromSlice([]int{2}, []float32{7, 8})
	for _, in := range []map[string]*tensor.Tensor{
		{"x": x, "y0": y0, "M": tensor.Scalar(int64(0)), "cond": tensor.Scalar(true)},
		{"x": x, "y0": y0, "M": tensor.Scalar(int64(5)), "cond": tensor.Scalar(false)},
		{"x": x, "y0": y0, "M": tensor.Scalar(int64(-3)), "cond": tensor.Scalar(true)},
	} {
		out := ctrlRun(t, loopGraph(true, true, nil), 11, in)
		assertClose(t, out["y"], y0, 0, 0)
		if !tensor.SameShape(out["ys"].Shape(), []int{0, 2}) || out["ys"].DType() != tensor.Float32 {
			t.Fatalf("empty scan output %v", out["ys"])
		}
		if !tensor.SameShape(out["iters"].Shape(), []int{0}) || out["iters"].DType() != tensor.Int64 {
			t.Fatalf("empty scan output %v", out["iters"])
		}
	}
}

func TestLoopCancellationAndLimits(t *testing.T) {
	x := tensor.MustFromSlice([]int{2}, []float32{1, 1})
	// No trip count, a condition that stays true: only the context stops it.
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err := ctrlRunErr(ctx, loopGraph(false, true, nil), 11, runtime.Options{},
		map[string]*tensor.Tensor{"x": x, "y0": tensor.Make[float32](2), "cond": tensor.Scalar(true)})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("endless loop: %v", err)
	}
	// Scan outputs growing past the size limit.
	err = ctrlRunErr(context.Background(), loopGraph(true, true, nil), 11, runtime.Options{MaxTensorBytes: 4096},
		map[string]*tensor.Tensor{"x": x, "y0": tensor.Make[float32](2), "M": tensor.Scalar(int64(1 << 40)), "cond": tensor.Scalar(true)})
	if !errors.Is(err, runtime.ErrTooLarge) {
		t.Fatalf("huge trip count: %v", err)
	}
	// Without scan outputs the iteration count itself is bounded (as if
	// each iteration stored an int64).
	g := loopGraph(true, true, nil)
	body := g.Nodes[0].Attrs[0].Graph
	body.Outputs = body.Outputs[:2]
	body.Nodes = append(body.Nodes[:1], body.Nodes[3])
	g.Nodes[0].Outputs = g.Nodes[0].Outputs[:1]
	g.Outputs = g.Outputs[:1]
	m, err := ctrlCompile(g, 11, runtime.Options{MaxTensorBytes: 800})
	if err != nil {
		t.Fatal(err)
	}
	in := map[string]*tensor.Tensor{"x": x, "y0": tensor.Make[float32](2), "cond": tensor.Scalar(true)}
	in["M"] = tensor.Scalar(int64(100))
	if out, err := m.Run(context.Background(), in); err != nil || tensor.Data[float32](out["y"])[0] != 100 {
		t.Fatalf("100 iterations: %v %v", out, err)
	}
	in["M"] = tensor.Scalar(int64(1 << 40))
	if _, err := m.Run(context.Background(), in); !errors.Is(err, runtime.ErrTooLarge) {
		t.Fatalf("2^40 iterations: %v", err)
	}
}

func TestLoopErrors(t *testing.T) {
	x := tensor.MustFromSlice([]int{2}, []float32{1, 1})
	y0 := tensor.Make[float32](2)
	// Trip count of the wrong type.
	g := loopGraph(true, true, nil)
	g.Inputs[2] = ctrlInfo("M", tensor.Float32)
	err := ctrlRunErr(context.Background(), g, 11, runtime.Options{},
		map[string]*tensor.Tensor{"x": x, "y0": y0, "M": tensor.Scalar(float32(3)), "cond": tensor.Scalar(true)})
	if !errors.Is(err, tensor.ErrDType) {
		t.Fatalf("float trip count: %v", err)
	}
	// Condition of the wrong type.
	g = loopGraph(true, true, nil)
	g.Inputs[3] = ctrlInfo("cond", tensor.Int64)
	err = ctrlRunErr(context.Background(), g, 11, runtime.Options{},
		map[string]*tensor.Tensor{"x": x, "y0": y0, "M": tensor.Scalar(int64(3)), "cond": tensor.Scalar(int64(1))})
	if !errors.Is(err, tensor.ErrDType) {
		t.Fatalf("int condition: %v", err)
	}
	// Body arity does not match the node.
	g = loopGraph(true, true, nil)
	g.Nodes[0].Outputs = []string{"y", "ys"}
	g.Outputs = g.Outputs[:2]
	if _, err := ctrlCompile(g, 11, runtime.Options{}); !errors.Is(err, runtime.ErrInvalidGraph) {
		t.Fatalf("arity mismatch: %v", err)
	}
	// A failing body fails the loop.
	g = loopGraph(true, true, nil)
	body := g.Nodes[0].Attrs[0].Graph
	body.Nodes[0] = ctrlNode("Fail", []string{"y_in"}, []string{"y_out"})
	err = ctrlRunErr(context.Background(), g, 11, runtime.Options{},
		map[string]*tensor.Tensor{"x": x, "y0": y0, "M": tensor.Scalar(int64(3)), "cond": tensor.Scalar(true)})
	if !errors.Is(err, errTestFail) {
		t.Fatalf("failing body: %v", err)
	}
	// Scan elements that change shape between iterations.
	g = loopGraph(true, true, nil)
	body = g.Nodes[0].Attrs[0].Graph
	body.Outputs[1] = ctrlInfo("y_out", tensor.Float32)
	body.Nodes[0] = ctrlNode("Add", []string{"y_in", "xr"}, []string{"y_out"}) // broadcasting grows y
	body.Nodes[1] = ctrlNode("Identity", []string{"y_in"}, []string{"y_scan"}) // (2) then (2, 2)
	g.Inputs[0] = ctrlInfo("xr", tensor.Float32, 2, 1)
	g.Inputs = append(g.Inputs, ctrlInfo("x", tensor.Float32, 2))
	err = ctrlRunErr(context.Background(), g, 11, runtime.Options{},
		map[string]*tensor.Tensor{"x": x, "xr": tensor.Make[float32](2, 1), "y0": y0, "M": tensor.Scalar(int64(3)), "cond": tensor.Scalar(true)})
	if !errors.Is(err, tensor.ErrShape) {
		t.Fatalf("changing scan element shape: %v", err)
	}
}

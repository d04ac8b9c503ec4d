package std

import (
	"context"
	"errors"
	"testing"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// scanSumBody: s_out = s_in + a + b; scan outputs s_out and a.
func scanSumBody(elemDims ...int64) *runtime.Graph {
	return &runtime.Graph{
		Name: "body",
		Inputs: []runtime.ValueInfo{ctrlInfo("s_in", tensor.Float32, elemDims...),
			ctrlInfo("a", tensor.Float32, elemDims...), ctrlInfo("b", tensor.Float32, elemDims...)},
		Outputs: []runtime.ValueInfo{ctrlInfo("s_out", tensor.Float32, elemDims...),
			ctrlInfo("o1", tensor.Float32, elemDims...), ctrlInfo("o2", tensor.Float32, elemDims...)},
		Nodes: []*runtime.Node{
			ctrlNode("Add", []string{"s_in", "a"}, []string{"t"}),
			ctrlNode("Add", []string{"t", "b"}, []string{"s_out"}),
			ctrlNode("Identity", []string{"s_out"}, []string{"o1"}),
			ctrlNode("Identity", []string{"a"}, []string{"o2"}),
		},
	}
}

func TestScan9AxesAndDirections(t *testing.T) {
	// A: (3 steps, 2) scanned on axis 0 forward; B: (2, 3 steps) scanned on
	// axis 1 in reverse. o1 is stacked on axis 1, o2 on axis 0 prepending.
	g := &runtime.Graph{
		Name:    "main",
		Inputs:  []runtime.ValueInfo{ctrlInfo("s0", tensor.Float32, 2), ctrlInfo("A", tensor.Float32, 3, 2), ctrlInfo("B", tensor.Float32, 2, 3)},
		Outputs: []runtime.ValueInfo{{Name: "s"}, {Name: "O1"}, {Name: "O2"}},
		Nodes: []*runtime.Node{ctrlNode("Scan", []string{"s0", "A", "B"}, []string{"s", "O1", "O2"},
			ctrlGraphAttr("body", scanSumBody(2)), attrInt("num_scan_inputs", 2),
			attrInts("scan_input_axes", 0, -1), attrInts("scan_input_directions", 0, 1),
			attrInts("scan_output_axes", 1, 0), attrInts("scan_output_directions", 0, 1))},
	}
	A := []float32{1, 2, 3, 4, 5, 6}
	B := []float32{10, 20, 30, 40, 50, 60}
	s0 := []float32{100, 200}
	out := ctrlRun(t, g, 11, map[string]*tensor.Tensor{
		"s0": tensor.MustFromSlice([]int{2}, s0), "A": tensor.MustFromSlice([]int{3, 2}, A), "B": tensor.MustFromSlice([]int{2, 3}, B)})
	// Reference loop.
	s := append([]float32{}, s0...)
	var o1 [3][2]float32
	var o2 [3][2]float32
	for step := 0; step < 3; step++ {
		r := 2 - step // B reversed along its axis 1
		for j := 0; j < 2; j++ {
			s[j] += A[step*2+j] + B[j*3+r]
			o1[step][j] = s[j]
			o2[2-step][j] = A[step*2+j] // prepended
		}
	}
	assertClose(t, out["s"], tensor.MustFromSlice([]int{2}, s), 0, 0)
	// O1 stacked on axis 1: shape (2, 3), O1[j][step].
	var want1 []float32
	for j := 0; j < 2; j++ {
		for step := 0; step < 3; step++ {
			want1 = append(want1, o1[step][j])
		}
	}
	assertClose(t, out["O1"], tensor.MustFromSlice([]int{2, 3}, want1), 0, 0)
	assertClose(t, out["O2"], tensor.MustFromSlice([]int{3, 2}, []float32{o2[0][0], o2[0][1], o2[1][0], o2[1][1], o2[2][0], o2[2][1]}), 0, 0)
}

func TestScan9ZeroLength(t *testing.T) {
	g := &runtime.Graph{
		Name:    "main",
		Inputs:  []runtime.ValueInfo{ctrlInfo("s0", tensor.Float32, 2), ctrlInfo("A", tensor.Float32, 0, 2)},
		Outputs: []runtime.ValueInfo{{Name: "s"}, {Name: "O1"}, {Name: "O2"}},
		Nodes: []*runtime.Node{ctrlNode("Scan", []string{"s0", "A", "A"}, []string{"s", "O1", "O2"},
			ctrlGraphAttr("body", scanSumBody(2)), attrInt("num_scan_inputs", 2), attrInts("scan_output_axes", 0, 1))},
	}
	s0 := tensor.MustFromSlice([]int{2}, []float32{1, 2})
	out := ctrlRun(t, g, 11, map[string]*tensor.Tensor{"s0": s0, "A": tensor.Make[float32](0, 2)})
	assertClose(t, out["s"], s0, 0, 0)
	if !tensor.SameShape(out["O1"].Shape(), []int{0, 2}) || !tensor.SameShape(out["O2"].Shape(), []int{2, 0}) {
		t.Fatalf("empty scan outputs %v %v", out["O1"], out["O2"])
	}
}

func TestScan8BatchedWithLengths(t *testing.T) {
	// Batch 2, max length 3; entry 0 runs 3 steps, entry 1 runs 1 step.
	// The second scan input is the first one reversed (within each length).
	g := &runtime.Graph{
		Name:    "main",
		Inputs:  []runtime.ValueInfo{ctrlInfo("lens", tensor.Int64, 2), ctrlInfo("s0", tensor.Float32, 2, 1), ctrlInfo("X", tensor.Float32, 2, 3, 1)},
		Outputs: []runtime.ValueInfo{{Name: "s"}, {Name: "O1"}, {Name: "O2"}},
		Nodes: []*runtime.Node{ctrlNode("Scan", []string{"lens", "s0", "X", "X"}, []string{"s", "O1", "O2"},
			ctrlGraphAttr("body", scanSumBody(1)), attrInt("num_scan_inputs", 2), attrInts("directions", 0, 1))},
	}
	X := []float32{1, 2, 3, 10, 20, 30}
	out := ctrlRun(t, g, 8, map[string]*tensor.Tensor{
		"lens": tensor.MustFromSlice([]int{2}, []int64{3, 1}),
		"s0":   tensor.MustFromSlice([]int{2, 1}, []float32{0, 100}),
		"X":    tensor.MustFromSlice([]int{2, 3, 1}, X)})
	// Entry 0: s = 0 + (1+3) + (2+2) + (3+1) = 12, o1 = 4, 8, 12.
	// Entry 1: one step: s = 100 + 10 + 10 = 120, then zero padding.
	assertClose(t, out["s"], tensor.MustFromSlice([]int{2, 1}, []float32{12, 120}), 0, 0)
	assertClose(t, out["O1"], tensor.MustFromSlice([]int{2, 3, 1}, []float32{4, 8, 12, 120, 0, 0}), 0, 0)
	assertClose(t, out["O2"], tensor.MustFromSlice([]int{2, 3, 1}, []float32{1, 2, 3, 10, 0, 0}), 0, 0)
	// Without sequence_lens every entry runs the full length.
	g.Nodes[0].Inputs[0] = ""
	g.Inputs = g.Inputs[1:]
	out = ctrlRun(t, g, 8, map[string]*tensor.Tensor{
		"s0": tensor.MustFromSlice([]int{2, 1}, []float32{0, 100}), "X": tensor.MustFromSlice([]int{2, 3, 1}, X)})
	assertClose(t, out["s"], tensor.MustFromSlice([]int{2, 1}, []float32{12, 220}), 0, 0)
}

func TestScanErrors(t *testing.T) {
	mk := func(aDims, bDims []int64, attrs ...runtime.Attribute) *runtime.Graph {
		return &runtime.Graph{
			Name:    "main",
			Inputs:  []runtime.ValueInfo{ctrlInfo("s0", tensor.Float32, 2), ctrlInfo("A", tensor.Float32, aDims...), ctrlInfo("B", tensor.Float32, bDims...)},
			Outputs: []runtime.ValueInfo{{Name: "s"}, {Name: "O1"}, {Name: "O2"}},
			Nodes: []*runtime.Node{ctrlNode("Scan", []string{"s0", "A", "B"}, []string{"s", "O1", "O2"},
				append([]runtime.Attribute{ctrlGraphAttr("body", scanSumBody(2))}, attrs...)...)},
		}
	}
	in := func(a, b []int) map[string]*tensor.Tensor {
		return map[string]*tensor.Tensor{"s0": tensor.Make[float32](2), "A": tensor.Make[float32](a...), "B": tensor.Make[float32](b...)}
	}
	ctx := context.Background()
	// Different sequence lengths.
	err := ctrlRunErr(ctx, mk([]int64{3, 2}, []int64{4, 2}, attrInt("num_scan_inputs", 2)), 11, runtime.Options{}, in([]int{3, 2}, []int{4, 2}))
	if !errors.Is(err, tensor.ErrShape) {
		t.Fatalf("sequence lengths differ: %v", err)
	}
	// Axis out of range.
	err = ctrlRunErr(ctx, mk([]int64{3, 2}, []int64{3, 2}, attrInt("num_scan_inputs", 2), attrInts("scan_input_axes", 0, 2)), 11, runtime.Options{}, in([]int{3, 2}, []int{3, 2}))
	if !errors.Is(err, tensor.ErrShape) {
		t.Fatalf("bad axis: %v", err)
	}
	// num_scan_inputs that does not fit the body; missing; bad directions.
	for _, attrs := range [][]runtime.Attribute{
		{attrInt("num_scan_inputs", 0)},
		{attrInt("num_scan_inputs", 4)},
		nil,
		{attrInt("num_scan_inputs", 2), attrInts("scan_input_directions", 0, 2)},
		{attrInt("num_scan_inputs", 2), attrInts("scan_output_axes", 0)},
	} {
		if _, err := ctrlCompile(mk([]int64{3, 2}, []int64{3, 2}, attrs...), 11, runtime.Options{}); !errors.Is(err, runtime.ErrInvalidGraph) {
			t.Fatalf("attrs %v: %v", attrs, err)
		}
	}
	// A state that changes shape.
	g := mk([]int64{3, 2}, []int64{3, 2, 2}, attrInt("num_scan_inputs", 2))
	g.Nodes[0].Attrs[0].Graph.Inputs[2] = ctrlInfo("b", tensor.Float32, 2, 2)
	g.Nodes[0].Attrs[0].Graph.Outputs[0] = ctrlInfo("s_out", tensor.Float32)
	g.Nodes[0].Attrs[0].Graph.Outputs[1] = ctrlInfo("o1", tensor.Float32)
	err = ctrlRunErr(ctx, g, 11, runtime.Options{}, in([]int{3, 2}, []int{3, 2, 2}))
	if !errors.Is(err, tensor.ErrShape) {
		t.Fatalf("state changes shape: %v", err)
	}
	// Scan-8: bad sequence length.
	g8 := &runtime.Graph{
		Name:    "main",
		Inputs:  []runtime.ValueInfo{ctrlInfo("lens", tensor.Int64, 1), ctrlInfo("s0", tensor.Float32, 1, 2), ctrlInfo("X", tensor.Float32, 1, 3, 2)},
		Outputs: []runtime.ValueInfo{{Name: "s"}, {Name: "O1"}, {Name: "O2"}},
		Nodes: []*runtime.Node{ctrlNode("Scan", []string{"lens", "s0", "X", "X"}, []string{"s", "O1", "O2"},
			ctrlGraphAttr("body", scanSumBody(2)), attrInt("num_scan_inputs", 2))},
	}
	err = ctrlRunErr(ctx, g8, 8, runtime.Options{}, map[string]*tensor.Tensor{
		"lens": tensor.MustFromSlice([]int{1}, []int64{4}), "s0": tensor.Make[float32](1, 2), "X": tensor.Make[float32](1, 3, 2)})
	if !errors.Is(err, tensor.ErrShape) {
		t.Fatalf("sequence length too long: %v", err)
	}
}

func TestScanInferShapes(t *testing.T) {
	g := &runtime.Graph{
		Name:    "main",
		Inputs:  []runtime.ValueInfo{ctrlInfo("s0", tensor.Float32, 2), ctrlInfo("A", tensor.Float32, 3, 2)},
		Outputs: []runtime.ValueInfo{{Name: "s"}, {Name: "O1"}, {Name: "O2"}},
		Nodes: []*runtime.Node{ctrlNode("Scan", []string{"s0", "A", "A"}, []string{"s", "O1", "O2"},
			ctrlGraphAttr("body", scanSumBody(2)), attrInt("num_scan_inputs", 2))},
	}
	m, err := ctrlCompile(g, 11, runtime.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if f, ok := m.Fact("s"); !ok || f.DType != tensor.Float32 || !tensor.SameShape(f.Shape, []int{2}) {
		t.Fatalf("state fact %+v", f)
	}
	if f, ok := m.Fact("O1"); !ok || f.DType != tensor.Float32 {
		t.Fatalf("scan output fact %+v", f)
	}
}

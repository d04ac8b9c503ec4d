package std

import (
	"context"
	"testing"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// The planner learns every shape of a chain of shape ops from the input's
// declared shape and constant arguments, without running anything; the
// run then produces exactly those shapes.
func TestShapeOpsInferThroughPlanner(t *testing.T) {
	node := func(op string, in []string, out string, attrs ...runtime.Attribute) *runtime.Node {
		return &runtime.Node{Name: out, OpType: op, Inputs: in, Outputs: []string{out}, Attrs: attrs}
	}
	g := &runtime.Graph{
		Inputs: []runtime.ValueInfo{{Name: "x", DType: tensor.Float32, Shape: []runtime.Dim{{Value: 2}, {Value: 3}, {Value: 4}}}},
		Nodes: []*runtime.Node{
			node("Transpose", []string{"x"}, "t", attrInts("perm", 2, 0, 1)), // [4 2 3]
			node("Reshape", []string{"t", "shape"}, "r"),                     // [4 6]
			node("Unsqueeze", []string{"r", "axes0"}, "u"),                   // [1 4 6]
			node("Concat", []string{"u", "u"}, "c", attrInt("axis", 0)),      // [2 4 6]
			node("Gather", []string{"c", "idx"}, "g", attrInt("axis", 2)),    // [2 4 1 3]
			node("Squeeze", []string{"g", "axes2"}, "s"),                     // [2 4 3]
			node("Slice", []string{"s", "starts", "ends", "axes1"}, "sl"),    // [2 3 3]
			node("Flatten", []string{"sl"}, "f", attrInt("axis", 2)),         // [6 3]
			node("Expand", []string{"f", "eshape"}, "e"),                     // [2 6 3]
			node("Pad", []string{"e", "pads"}, "p"),                          // [2 7 5]
			node("Tile", []string{"p", "reps"}, "tl"),                        // [2 14 5]
			node("Shape", []string{"tl"}, "shp", attrInt("start", 1)),        // [2]
		},
		Outputs: []runtime.ValueInfo{{Name: "tl"}, {Name: "shp"}},
		Initializers: map[string]*tensor.Tensor{
			"shape": shpI64(0, -1), "axes0": shpI64(0), "axes2": shpI64(2), "axes1": shpI64(1),
			"idx": tensor.MustFromSlice([]int{1, 3}, []int64{0, 1, 1}), "starts": shpI64(1), "ends": shpI64(10),
			"eshape": shpI64(2, 1, 1), "pads": shpI64(0, 1, 1, 0, 0, 1), "reps": shpI64(1, 2, 1),
		},
		Opsets: map[string]int{"": 15},
	}
	m, err := runtime.Compile(g, testRegistry(), runtime.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]int{"tl": {2, 14, 5}, "shp": {2}}
	for _, vi := range m.Outputs() {
		got := make([]int, len(vi.Shape))
		for i, d := range vi.Shape {
			got[i] = int(d.Value)
		}
		if !tensor.SameShape(got, want[vi.Name]) {
			t.Fatalf("%s: planner shape %v, want %v", vi.Name, got, want[vi.Name])
		}
	}
	out, err := m.Run(context.Background(), map[string]*tensor.Tensor{"x": tensor.Make[float32](2, 3, 4)})
	if err != nil {
		t.Fatal(err)
	}
	if !tensor.SameShape(out["tl"].Shape(), want["tl"]) {
		t.Fatalf("run shape %v", out["tl"].Shape())
	}
	if d := tensor.Data[int64](out["shp"]); d[0] != 14 || d[1] != 5 {
		t.Fatalf("Shape output %v", d)
	}
}

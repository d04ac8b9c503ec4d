package runtime

import (
	"context"
	"testing"

	"github.com/optnet-go/optnet/runtime/tensor"
)

// addKernel is y = a + b (same shapes) with its backward rule.
type addKernel struct{}

func (addKernel) Run(rc *RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	a, b := tensor.Data[float64](in[0]), tensor.Data[float64](in[1])
	y := tensor.Make[float64](in[0].Shape()...)
	for i := range tensor.Data[float64](y) {
		tensor.Data[float64](y)[i] = a[i] + b[i]
	}
	return []*tensor.Tensor{y}, nil
}

func (addKernel) Backward(rc *RunContext, f *Forward, g []*tensor.Tensor) ([]*tensor.Tensor, error) {
	return []*tensor.Tensor{g[0], g[0]}, nil
}

// TestBackwardReleasesRecords: once Backward returns, the tape holds no
// forward record, so nothing of the forward pass stays reachable through
// it.
func TestBackwardReleasesRecords(t *testing.T) {
	reg := NewRegistry()
	reg.MustRegister(&Op{Domain: "test", Type: "Add", Since: 1, Inputs: [2]int{2, 2}, Outputs: [2]int{1, 1},
		Build: func(*BuildContext) (Kernel, error) { return addKernel{}, nil }})
	add := func(a, b, y string) *Node {
		return &Node{Name: y, OpType: "Add", Domain: "test", Inputs: []string{a, b}, Outputs: []string{y}}
	}
	g := &Graph{
		Opsets:       map[string]int{"test": 1},
		Inputs:       []ValueInfo{{Name: "x", DType: tensor.Float64}},
		Outputs:      []ValueInfo{{Name: "y"}},
		Initializers: map[string]*tensor.Tensor{"w": tensor.MustFromSlice([]int{2}, []float64{1, 2})},
		Nodes:        []*Node{add("x", "w", "a"), add("a", "a", "b"), add("b", "w", "y")},
	}
	m, err := Compile(g, reg, Options{Variables: []string{"w"}})
	if err != nil {
		t.Fatal(err)
	}
	gp, err := m.Differentiate([]string{"y"}, []string{"w"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	x := tensor.MustFromSlice([]int{2}, []float64{3, 4})
	_, tape, err := gp.Forward(ctx, map[string]*tensor.Tensor{"x": x}, RunOptions{Training: true})
	if err != nil {
		t.Fatal(err)
	}
	recorded := 0
	for _, r := range tape.records {
		if r != nil {
			recorded++
		}
	}
	if recorded != 3 {
		t.Fatalf("%d records after the forward pass, want 3", recorded)
	}
	grads, err := tape.Backward(ctx, map[string]*tensor.Tensor{"y": tensor.MustFromSlice([]int{2}, []float64{1, 1})})
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range tape.records {
		if r != nil {
			t.Errorf("record %d kept after Backward", i)
		}
	}
	// y = 2(x + w) + w: dy/dw = 3.
	if gw := tensor.Data[float64](grads["w"]); gw[0] != 3 || gw[1] != 3 {
		t.Fatalf("dw = %v, want [3 3]", gw)
	}
}

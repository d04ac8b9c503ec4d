package std

import (
	"context"
	"math"
	"math/rand"
	"testing"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// TestSmallCNNGradients compiles a small CNN of the dense ops (Conv, Relu,
// MaxPool, ConvTranspose, AveragePool, GlobalAveragePool, Flatten, Gemm,
// MatMul), differentiates it with the runtime's reverse mode, and checks
// the parameter gradients against finite differences of the whole model.
func TestSmallCNNGradients(t *testing.T) {
	rng := rand.New(rand.NewSource(25))
	params := map[string]*tensor.Tensor{
		"w1": randF64(rng, -1, 1, 4, 2, 3, 3), "b1": randF64(rng, -1, 1, 4),
		"wt": randF64(rng, -1, 1, 4, 3, 2, 2),
		"w2": randF64(rng, -1, 1, 5, 3), "b2": randF64(rng, -1, 1, 5),
		"w3": randF64(rng, -1, 1, 5, 2),
	}
	x := randF64(rng, -1, 1, 2, 2, 8, 8)
	nd := func(op string, in []string, out string, attrs ...runtime.Attribute) *runtime.Node {
		return &runtime.Node{Name: out, OpType: op, Inputs: in, Outputs: []string{out}, Attrs: attrs}
	}
	g := &runtime.Graph{
		Inputs:       []runtime.ValueInfo{{Name: "x", DType: tensor.Float64, Shape: []runtime.Dim{{Value: 2}, {Value: 2}, {Value: 8}, {Value: 8}}}},
		Outputs:      []runtime.ValueInfo{{Name: "y"}},
		Initializers: params,
		Nodes: []*runtime.Node{
			nd("Conv", []string{"x", "w1", "b1"}, "c1", attrInts("pads", 1, 1, 1, 1)),
			nd("Relu", []string{"c1"}, "r1"),
			nd("MaxPool", []string{"r1"}, "p1", attrInts("kernel_shape", 2, 2), attrInts("strides", 2, 2)),
			nd("ConvTranspose", []string{"p1", "wt"}, "u1", attrInts("strides", 2, 2)),
			nd("AveragePool", []string{"u1"}, "a1", attrInts("kernel_shape", 3, 3), attrInts("pads", 1, 1, 1, 1)),
			nd("GlobalAveragePool", []string{"a1"}, "g1"),
			nd("Flatten", []string{"g1"}, "f1"),
			nd("Gemm", []string{"f1", "w2", "b2"}, "h1", attrInt("transB", 1)),
			nd("MatMul", []string{"h1", "w3"}, "y"),
		},
	}
	var names []string
	for n := range params {
		names = append(names, n)
	}
	m, err := runtime.Compile(g, testRegistry(), runtime.Options{Variables: names})
	if err != nil {
		t.Fatal(err)
	}
	gp, err := m.Differentiate([]string{"y"}, names)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	seed := randF64(rng, -1, 1, 2, 2)
	_, tape, err := gp.Forward(ctx, map[string]*tensor.Tensor{"x": x}, runtime.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	grads, err := tape.Backward(ctx, map[string]*tensor.Tensor{"y": seed})
	if err != nil {
		t.Fatal(err)
	}
	loss := func() float64 {
		mm, err := runtime.Compile(g, testRegistry(), runtime.Options{Variables: names})
		if err != nil {
			t.Fatal(err)
		}
		out, err := mm.Run(ctx, map[string]*tensor.Tensor{"x": x})
		if err != nil {
			t.Fatal(err)
		}
		s := 0.0
		for i, v := range tensor.Data[float64](out["y"]) {
			s += v * tensor.Data[float64](seed)[i]
		}
		return s
	}
	for _, n := range names {
		p := params[n]
		gd := tensor.Data[float64](grads[n])
		for _, j := range rng.Perm(p.Len())[:min(6, p.Len())] {
			d := tensor.Data[float64](p)
			orig := d[j]
			d[j] = orig + 1e-6
			up := loss()
			d[j] = orig - 1e-6
			down := loss()
			d[j] = orig
			num := (up - down) / 2e-6
			if math.Abs(num-gd[j]) > 1e-5*max(1, math.Abs(num)) {
				t.Errorf("d/d %s[%d]: backward %v, finite difference %v", n, j, gd[j], num)
			}
		}
	}
}

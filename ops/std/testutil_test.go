package std

// Test helpers shared by the op tests of this package.

import (
	"context"
	"math"
	"math/rand"
	"sync"
	"testing"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// testRegistry holds every op of this package. It is built on first use:
// package-level variables initialise before the op files' init functions
// have registered anything.
var testRegistry = sync.OnceValue(func() *runtime.Registry {
	r := runtime.NewRegistry()
	if err := Register(r); err != nil {
		panic(err)
	}
	return r
})

// opNode builds a node with inputs in0, in1, ... (or "" for a nil input)
// and outputs out0, out1, ....
func opNode(opType string, in []*tensor.Tensor, nout int, attrs ...runtime.Attribute) *runtime.Node {
	n := &runtime.Node{Name: "test_" + opType, OpType: opType, Attrs: attrs}
	for i, t := range in {
		name := ""
		if t != nil {
			name = "in" + string(rune('0'+i))
		}
		n.Inputs = append(n.Inputs, name)
	}
	for i := 0; i < nout; i++ {
		n.Outputs = append(n.Outputs, "out"+string(rune('0'+i)))
	}
	return n
}

// runOp runs one node of opType at the given opset version and returns its
// outputs, failing the test on error.
func runOp(t testing.TB, opType string, version int, attrs []runtime.Attribute, nout int, in ...*tensor.Tensor) []*tensor.Tensor {
	t.Helper()
	f, _, err := runtime.RunNode(context.Background(), testRegistry(), opNode(opType, in, nout, attrs...), version, in, runtime.RunOptions{})
	if err != nil {
		t.Fatalf("%s: %v", opType, err)
	}
	return f.Outputs
}

// runOpErr runs one node and returns its error (nil if it succeeded).
func runOpErr(opType string, version int, attrs []runtime.Attribute, nout int, in ...*tensor.Tensor) error {
	_, _, err := runtime.RunNode(context.Background(), testRegistry(), opNode(opType, in, nout, attrs...), version, in, runtime.RunOptions{})
	return err
}

// Attribute constructors.
func attrInt(name string, v int64) runtime.Attribute {
	return runtime.Attribute{Name: name, Kind: runtime.AttrInt, Int: v}
}
func attrFloat(name string, v float32) runtime.Attribute {
	return runtime.Attribute{Name: name, Kind: runtime.AttrFloat, Float: v}
}
func attrInts(name string, v ...int64) runtime.Attribute {
	return runtime.Attribute{Name: name, Kind: runtime.AttrInts, Ints: v}
}
func attrFloats(name string, v ...float32) runtime.Attribute {
	return runtime.Attribute{Name: name, Kind: runtime.AttrFloats, Floats: v}
}
func attrString(name, v string) runtime.Attribute {
	return runtime.Attribute{Name: name, Kind: runtime.AttrString, String: v}
}

// randF64 returns a float64 tensor with entries uniform in [lo, hi).
func randF64(rng *rand.Rand, lo, hi float64, shape ...int) *tensor.Tensor {
	t := tensor.Make[float64](shape...)
	d := tensor.Data[float64](t)
	for i := range d {
		d[i] = lo + (hi-lo)*rng.Float64()
	}
	return t
}

// assertClose fails unless got and want (float tensors) match in shape and
// |got-want| <= atol + rtol*|want| elementwise.
func assertClose(t testing.TB, got, want *tensor.Tensor, rtol, atol float64) {
	t.Helper()
	if !tensor.SameShape(got.Shape(), want.Shape()) {
		t.Fatalf("shape %v, want %v", got.Shape(), want.Shape())
	}
	g, err1 := tensor.Float64s(got)
	w, err2 := tensor.Float64s(want)
	if err1 != nil || err2 != nil {
		t.Fatalf("not numeric: %v %v", err1, err2)
	}
	for i := range w {
		if math.IsNaN(w[i]) && math.IsNaN(g[i]) {
			continue
		}
		if math.Abs(g[i]-w[i]) > atol+rtol*math.Abs(w[i]) || math.IsNaN(g[i]) != math.IsNaN(w[i]) {
			t.Fatalf("element %d: got %v, want %v (got %v, want %v)", i, g[i], w[i], truncate(g), truncate(w))
		}
	}
}

func truncate(v []float64) []float64 {
	if len(v) > 12 {
		return v[:12]
	}
	return v
}

// gradCheck compares an op's backward rule with central finite differences
// of L = <g, out> for a random upstream gradient g, in float64. wrt lists
// the inputs to check (they must be float64 tensors). Choose inputs away
// from kinks (Relu at 0, ties of Max) so L is smooth there.
func gradCheck(t *testing.T, opType string, version int, attrs []runtime.Attribute, in []*tensor.Tensor, wrt ...int) {
	t.Helper()
	gradCheckOuts(t, opType, version, attrs, 1, runtime.RunOptions{Seed: 7}, in, wrt...)
}

// gradCheckOuts is gradCheck for a node with nout outputs, run with opts
// (training mode, seed): L = Σ_k <g_k, out_k> over every float64 output.
// At most 64 randomly chosen elements of each input are checked.
func gradCheckOuts(t *testing.T, opType string, version int, attrs []runtime.Attribute, nout int, opts runtime.RunOptions, in []*tensor.Tensor, wrt ...int) {
	t.Helper()
	ctx := context.Background()
	n := opNode(opType, in, nout, attrs...)
	f, k, err := runtime.RunNode(ctx, testRegistry(), n, version, in, opts)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewSource(99))
	ups := make([]*tensor.Tensor, len(f.Outputs))
	for i, o := range f.Outputs {
		if o != nil && o.DType() == tensor.Float64 {
			ups[i] = randF64(rng, -1, 1, o.Shape()...)
		}
	}
	loss := func(inputs []*tensor.Tensor) float64 {
		f, _, err := runtime.RunNode(ctx, testRegistry(), n, version, inputs, opts)
		if err != nil {
			t.Fatal(err)
		}
		s := 0.0
		for i, o := range f.Outputs {
			if ups[i] == nil {
				continue
			}
			for j, v := range tensor.Data[float64](o) {
				s += v * tensor.Data[float64](ups[i])[j]
			}
		}
		return s
	}
	need := make([]bool, len(in))
	for _, i := range wrt {
		need[i] = true
	}
	grads, err := runtime.BackwardNode(ctx, k, f, ups, need, opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range wrt {
		if grads[i] == nil {
			t.Fatalf("%s: no gradient for input %d", opType, i)
		}
		x := in[i]
		data := tensor.Data[float64](x)
		g := tensor.Data[float64](grads[i])
		idx := rng.Perm(len(data))
		if len(idx) > 64 {
			idx = idx[:64]
		}
		for _, j := range idx {
			orig := data[j]
			h := 1e-6 * max(1, math.Abs(orig))
			pert := func(v float64) float64 {
				c := x.Clone()
				tensor.Data[float64](c)[j] = v
				args := append([]*tensor.Tensor(nil), in...)
				args[i] = c
				return loss(args)
			}
			num := (pert(orig+h) - pert(orig-h)) / (2 * h)
			if math.Abs(num-g[j]) > 1e-5*max(1, math.Abs(num)) {
				t.Errorf("%s: d/d input%d[%d]: backward %v, finite difference %v", opType, i, j, g[j], num)
			}
		}
	}
}

func attrsOf(a ...runtime.Attribute) []runtime.Attribute { return a }

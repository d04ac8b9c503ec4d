package std

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// Helpers for testing ops with subgraphs (Loop, Scan), which RunNode does
// not run: build a graph and compile it with a registry holding this
// package's ops plus two test ops, test::Less (int64 a < b, a bool scalar)
// and test::Fail (always an error).

var errTestFail = errors.New("test op failed")

var ctrlRegistry = sync.OnceValue(func() *runtime.Registry {
	r := runtime.NewRegistry()
	if err := Register(r); err != nil {
		panic(err)
	}
	less := runtime.KernelFunc(func(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		a, b := tensor.Data[int64](in[0])[0], tensor.Data[int64](in[1])[0]
		return []*tensor.Tensor{tensor.Scalar(a < b)}, nil
	})
	fail := runtime.KernelFunc(func(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		return nil, errTestFail
	})
	err := r.Register(
		&runtime.Op{Domain: "test", Type: "Less", Since: 1, Inputs: [2]int{2, 2}, Outputs: [2]int{1, 1},
			Build: func(*runtime.BuildContext) (runtime.Kernel, error) { return less, nil }},
		&runtime.Op{Domain: "test", Type: "Fail", Since: 1, Inputs: [2]int{0, runtime.Variadic}, Outputs: [2]int{1, runtime.Variadic},
			Build: func(*runtime.BuildContext) (runtime.Kernel, error) { return fail, nil }},
	)
	if err != nil {
		panic(err)
	}
	return r
})

// ctrlInfo declares a tensor value; no dims means unknown rank.
func ctrlInfo(name string, dt tensor.DType, dims ...int64) runtime.ValueInfo {
	vi := runtime.ValueInfo{Name: name, DType: dt}
	if dims != nil {
		vi.Shape = make([]runtime.Dim, len(dims))
		for i, d := range dims {
			vi.Shape[i] = runtime.Dim{Value: d}
		}
	}
	return vi
}

func ctrlNode(op string, in, out []string, attrs ...runtime.Attribute) *runtime.Node {
	n := &runtime.Node{OpType: op, Inputs: in, Outputs: out, Attrs: attrs}
	if op == "Less" || op == "Fail" {
		n.Domain = "test"
	}
	return n
}

func ctrlGraphAttr(name string, g *runtime.Graph) runtime.Attribute {
	return runtime.Attribute{Name: name, Kind: runtime.AttrGraph, Graph: g}
}

// ctrlCompile compiles g at the given default-domain opset.
func ctrlCompile(g *runtime.Graph, opset int, opts runtime.Options) (*runtime.Model, error) {
	g.Opsets = map[string]int{"": opset, "test": 1}
	return runtime.Compile(g, ctrlRegistry(), opts)
}

// ctrlRun compiles and runs g, failing the test on error.
func ctrlRun(t *testing.T, g *runtime.Graph, opset int, in map[string]*tensor.Tensor) map[string]*tensor.Tensor {
	t.Helper()
	m, err := ctrlCompile(g, opset, runtime.Options{})
	if err != nil {
		t.Fatal(err)
	}
	out, err := m.Run(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// ctrlRunErr compiles and runs g and returns the first error.
func ctrlRunErr(ctx context.Context, g *runtime.Graph, opset int, opts runtime.Options, in map[string]*tensor.Tensor) error {
	m, err := ctrlCompile(g, opset, opts)
	if err != nil {
		return err
	}
	_, err = m.Run(ctx, in)
	return err
}

func TestTakeAndStackAxis(t *testing.T) {
	x := tensor.MustFromSlice([]int{2, 3, 2}, []int32{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11})
	rc := runtime.NewRunContext(context.Background(), runtime.RunOptions{})
	for ax := 0; ax < 3; ax++ {
		var parts []*tensor.Tensor
		for i := 0; i < x.Dim(ax); i++ {
			p, err := ctrlTakeAxis(x, ax, i)
			if err != nil {
				t.Fatal(err)
			}
			parts = append(parts, p)
		}
		// Element check against direct indexing.
		st := tensor.Strides(x.Shape())
		for i, p := range parts {
			if p.Rank() != 2 {
				t.Fatalf("ctrlTakeAxis rank %d", p.Rank())
			}
			ps := p.Shape()
			for a := 0; a < ps[0]; a++ {
				for b := 0; b < ps[1]; b++ {
					idx := []int{a, b}
					idx = append(idx[:ax], append([]int{i}, idx[ax:]...)...)
					want := tensor.Data[int32](x)[idx[0]*st[0]+idx[1]*st[1]+idx[2]*st[2]]
					if got := tensor.Data[int32](p)[a*ps[1]+b]; got != want {
						t.Fatalf("axis %d index %d (%d,%d): %d want %d", ax, i, a, b, got, want)
					}
				}
			}
		}
		back, err := ctrlStackAxis(rc, parts, ax, false)
		if err != nil {
			t.Fatal(err)
		}
		if !tensor.SameShape(back.Shape(), x.Shape()) {
			t.Fatalf("stack shape %v", back.Shape())
		}
		for i, v := range tensor.Data[int32](back) {
			if v != tensor.Data[int32](x)[i] {
				t.Fatalf("axis %d: stack(take) differs at %d", ax, i)
			}
		}
	}
	// Mismatched elements are errors.
	a, b := tensor.Make[float32](2), tensor.Make[float32](3)
	if _, err := ctrlStackAxis(rc, []*tensor.Tensor{a, b}, 0, false); !errors.Is(err, tensor.ErrShape) {
		t.Fatalf("mismatched shapes: %v", err)
	}
	if _, err := ctrlStackAxis(rc, []*tensor.Tensor{a, tensor.Make[float64](2)}, 0, false); !errors.Is(err, tensor.ErrDType) {
		t.Fatalf("mismatched dtypes: %v", err)
	}
}

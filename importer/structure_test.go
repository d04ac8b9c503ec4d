package importer_test

import (
	"context"
	"errors"
	"reflect"
	goruntime "runtime"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/optnet-go/optnet"
	"github.com/optnet-go/optnet/importer"
	"github.com/optnet-go/optnet/onnxbuild"
	"github.com/optnet-go/optnet/onnxpb"
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

func f32(shape []int, v ...float32) *tensor.Tensor { return tensor.MustFromSlice(shape, v) }

// runModel loads, compiles (with optnet's registry) and runs a model.
func runModel(t *testing.T, b []byte, inputs map[string]*tensor.Tensor) map[string]*tensor.Tensor {
	t.Helper()
	m, err := optnet.LoadBytes(b, optnet.Options{})
	if err != nil {
		t.Fatal(err)
	}
	out, err := m.Run(context.Background(), inputs)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func assertF32(t *testing.T, name string, got *tensor.Tensor, shape []int, want ...float32) {
	t.Helper()
	if got == nil {
		t.Fatalf("%s: missing", name)
	}
	if !tensor.SameShape(got.Shape(), shape) || !reflect.DeepEqual(tensor.Data[float32](got), want) {
		t.Fatalf("%s = %v %v, want %v %v", name, got.Shape(), got.Raw(), shape, want)
	}
}

func TestMalformed(t *testing.T) {
	good := func() []byte {
		m := onnxbuild.New("g", map[string]int64{"": 13})
		m.Input("x", tensor.Float32, 2)
		m.Node("Relu", []string{"x"}, []string{"y"})
		m.Output("y", tensor.Float32, 2)
		return mustBytes(t, m)
	}()
	noGraph, _ := proto.Marshal(&onnxpb.ModelProto{IrVersion: proto.Int64(8)})
	for name, b := range map[string][]byte{
		"garbage":        []byte("\xff\xff\xff\xff\xff\xff"),
		"truncated":      good[:len(good)-5],
		"wrong wiretype": {0x0d, 1, 2, 3, 4}, // field 1 (ir_version) as fixed32
		"no graph":       noGraph,
		"empty":          nil,
	} {
		if _, err := importer.LoadBytes(b); !errors.Is(err, importer.ErrMalformed) {
			t.Errorf("%s: got %v, want ErrMalformed", name, err)
		}
	}
	if _, err := importer.LoadBytes(good); err != nil {
		t.Fatalf("the untruncated model: %v", err)
	}
}

// hugeInitModel declares a float32 initializer of dims (in a few bytes)
// and no data.
func hugeInitModel(t testing.TB, dims ...int64) []byte {
	m := onnxbuild.New("huge", map[string]int64{"": 13})
	m.Graph().Initializer = append(m.Graph().Initializer, &onnxpb.TensorProto{
		Name: proto.String("w"), Dims: dims, DataType: proto.Int32(int32(onnxpb.TensorProto_FLOAT)),
	})
	m.Node("Identity", []string{"w"}, []string{"y"})
	m.Output("y", tensor.Float32)
	return mustBytes(t, m)
}

func TestTooLargeBeforeAllocating(t *testing.T) {
	cases := map[string][]byte{
		"1e12 elements":    hugeInitModel(t, 1000000, 1000000),
		"int64 overflow":   hugeInitModel(t, 1<<40, 1<<40),
		"just over 2 GiB":  hugeInitModel(t, 1<<29+1),
		"in an attribute":  hugeConstantModel(t),
		"sparse 1e12":      sparseModel(t, []int64{1000000, 1000000}, []int64{0}, []float32{1}),
		"sparse overflows": sparseModel(t, []int64{1 << 31, 1 << 31}, []int64{0}, []float32{1}),
	}
	for name, b := range cases {
		t.Run(name, func(t *testing.T) {
			if len(b) > 200 {
				t.Fatalf("the model is %d bytes; it should be tiny", len(b))
			}
			var before, after goruntime.MemStats
			goruntime.GC()
			goruntime.ReadMemStats(&before)
			_, err := importer.LoadBytes(b)
			goruntime.ReadMemStats(&after)
			if !errors.Is(err, importer.ErrTooLarge) {
				t.Fatalf("got %v, want ErrTooLarge", err)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 1<<20 {
				t.Fatalf("loading allocated %d bytes before refusing", alloc)
			}
		})
	}
	// A smaller limit applies the same way.
	l := importer.Loader{MaxTensorBytes: 20}
	if _, err := l.LoadBytes(hugeInitModel(t, 2, 3)); !errors.Is(err, importer.ErrTooLarge) {
		t.Fatalf("MaxTensorBytes 20, a 24-byte tensor: got %v", err)
	}
}

func hugeConstantModel(t testing.TB) []byte {
	m := onnxbuild.New("hugeconst", map[string]int64{"": 13})
	typ := onnxpb.AttributeProto_TENSOR
	m.Node("Constant", nil, []string{"y"}, &onnxpb.AttributeProto{
		Name: proto.String("value"), Type: &typ,
		T: &onnxpb.TensorProto{Dims: []int64{1 << 20, 1 << 20}, DataType: proto.Int32(int32(onnxpb.TensorProto_FLOAT))},
	})
	m.Output("y", tensor.Float32)
	return mustBytes(t, m)
}

func TestModelSizeLimit(t *testing.T) {
	b := hugeInitModel(t, 2, 3)
	l := importer.Loader{MaxModelBytes: int64(len(b) - 1)}
	if _, err := l.LoadBytes(b); !errors.Is(err, importer.ErrTooLarge) {
		t.Errorf("LoadBytes: got %v, want ErrTooLarge", err)
	}
	if _, err := l.LoadReader(strings.NewReader(string(b))); !errors.Is(err, importer.ErrTooLarge) {
		t.Errorf("LoadReader: got %v, want ErrTooLarge", err)
	}
}

func TestBadTensors(t *testing.T) {
	raw := func(tp *onnxpb.TensorProto) []byte {
		m := onnxbuild.New("bad", map[string]int64{"": 13})
		tp.Name = proto.String("w")
		m.Graph().Initializer = append(m.Graph().Initializer, tp)
		m.Node("Identity", []string{"w"}, []string{"y"})
		m.Output("y", tensor.Float32)
		return mustBytes(t, m)
	}
	fl := proto.Int32(int32(onnxpb.TensorProto_FLOAT))
	cases := []struct {
		name string
		tp   *onnxpb.TensorProto
		want error
	}{
		{"negative dim", &onnxpb.TensorProto{Dims: []int64{-1, 2}, DataType: fl}, importer.ErrInvalidGraph},
		{"raw too short", &onnxpb.TensorProto{Dims: []int64{2}, DataType: fl, RawData: []byte{1, 2, 3}}, importer.ErrInvalidGraph},
		{"typed too long", &onnxpb.TensorProto{Dims: []int64{2}, DataType: fl, FloatData: []float32{1, 2, 3}}, importer.ErrInvalidGraph},
		{"complex64", &onnxpb.TensorProto{Dims: []int64{1}, DataType: proto.Int32(int32(onnxpb.TensorProto_COMPLEX64)), FloatData: []float32{1, 2}}, importer.ErrUnsupportedType},
		{"unknown type", &onnxpb.TensorProto{Dims: []int64{1}, DataType: proto.Int32(99)}, importer.ErrUnsupportedType},
		{"segmented", &onnxpb.TensorProto{Dims: []int64{1}, DataType: fl, FloatData: []float32{1}, Segment: &onnxpb.TensorProto_Segment{Begin: proto.Int64(0), End: proto.Int64(1)}}, importer.ErrInvalidGraph},
	}
	for _, c := range cases {
		if _, err := importer.LoadBytes(raw(c.tp)); !errors.Is(err, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, err, c.want)
		}
	}
}

func TestNegativeDeclaredDim(t *testing.T) {
	m := onnxbuild.New("neg", map[string]int64{"": 13})
	m.Input("x", tensor.Float32, 2, 3)
	m.Graph().Input[0].GetType().GetTensorType().GetShape().GetDim()[1].Value = &onnxpb.TensorShapeProto_Dimension_DimValue{DimValue: -3}
	m.Node("Relu", []string{"x"}, []string{"y"})
	m.Output("y", tensor.Float32, 2, 3)
	_, err := importer.LoadBytes(mustBytes(t, m))
	if !errors.Is(err, importer.ErrInvalidGraph) || !strings.Contains(err.Error(), "-3") {
		t.Fatalf("got %v, want ErrInvalidGraph naming the dim", err)
	}
}

func TestInvalidGraphs(t *testing.T) {
	type build func(m *onnxbuild.Model)
	cases := []struct {
		name string
		b    build
		want string
	}{
		{"cycle", func(m *onnxbuild.Model) {
			m.Node("Add", []string{"x", "b"}, []string{"a"})
			m.Node("Relu", []string{"a"}, []string{"b"})
			m.Node("Identity", []string{"a"}, []string{"y"})
		}, "cycle"},
		{"self loop", func(m *onnxbuild.Model) {
			m.Node("Add", []string{"x", "y"}, []string{"y"})
		}, "reads its own output"},
		{"two producers", func(m *onnxbuild.Model) {
			m.Node("Relu", []string{"x"}, []string{"y"})
			m.Node("Identity", []string{"x"}, []string{"y"})
		}, "produced by two nodes"},
		{"overwrites an input", func(m *onnxbuild.Model) {
			m.Node("Relu", []string{"x"}, []string{"x"})
			m.Node("Identity", []string{"x"}, []string{"y"})
		}, "graph input or initializer"},
		{"missing initializer", func(m *onnxbuild.Model) {
			m.Node("Add", []string{"x", "weights"}, []string{"y"})
		}, `reads "weights", which nothing defines`},
		{"output not produced", func(m *onnxbuild.Model) {
			m.Node("Relu", []string{"x"}, []string{"z"})
		}, `graph output "y" is not produced`},
		{"duplicate input", func(m *onnxbuild.Model) {
			m.Input("x", tensor.Float32, 2)
			m.Node("Relu", []string{"x"}, []string{"y"})
		}, `graph input "x" is declared twice`},
		{"wrong arity", func(m *onnxbuild.Model) {
			m.Node("Relu", []string{"x", "x"}, []string{"y"})
		}, "has 2 inputs"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := onnxbuild.New(c.name, map[string]int64{"": 13})
			m.Input("x", tensor.Float32, 2)
			c.b(m)
			m.Output("y", tensor.Float32, 2)
			_, err := optnet.LoadBytes(mustBytes(t, m), optnet.Options{})
			if !errors.Is(err, runtime.ErrInvalidGraph) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want ErrInvalidGraph with %q", err, c.want)
			}
		})
	}
}

func TestBadNodes(t *testing.T) {
	cases := map[string]func(m *onnxbuild.Model){
		"empty op_type": func(m *onnxbuild.Model) {
			m.Graph().Node = append(m.Graph().Node, &onnxpb.NodeProto{Input: []string{"x"}, Output: []string{"y"}})
		},
		"attribute without a name": func(m *onnxbuild.Model) {
			m.Node("Relu", []string{"x"}, []string{"y"}, &onnxpb.AttributeProto{I: proto.Int64(1)})
		},
		"unnamed initializer": func(m *onnxbuild.Model) {
			m.Graph().Initializer = append(m.Graph().Initializer, &onnxpb.TensorProto{DataType: proto.Int32(1), FloatData: []float32{1}})
			m.Node("Relu", []string{"x"}, []string{"y"})
		},
		"initializer twice": func(m *onnxbuild.Model) {
			m.Initializer("w", f32([]int{1}, 1))
			m.Initializer("w", f32([]int{1}, 2))
			m.Node("Add", []string{"x", "w"}, []string{"y"})
		},
		"graph attribute without graph": func(m *onnxbuild.Model) {
			typ := onnxpb.AttributeProto_GRAPH
			m.Node("If", []string{"x"}, []string{"y"}, &onnxpb.AttributeProto{Name: proto.String("then_branch"), Type: &typ})
		},
		"opset version 0": func(m *onnxbuild.Model) {
			m.Proto().OpsetImport[0].Version = proto.Int64(0)
			m.Node("Relu", []string{"x"}, []string{"y"})
		},
		"subgraphs nested too deep": func(m *onnxbuild.Model) {
			// Each level nests in the then branch only (a message shared
			// by both branches would serialize 2^depth times).
			leaf := &onnxpb.GraphProto{Name: proto.String("leaf")}
			g := leaf
			for i := 0; i < 100; i++ {
				inner := &onnxpb.GraphProto{Name: proto.String("level")}
				inner.Node = []*onnxpb.NodeProto{{OpType: proto.String("If"), Input: []string{"c"}, Output: []string{"o"},
					Attribute: []*onnxpb.AttributeProto{onnxbuild.Graph("then_branch", g), onnxbuild.Graph("else_branch", leaf)}}}
				g = inner
			}
			m.Node("If", []string{"x"}, []string{"y"}, onnxbuild.Graph("then_branch", g), onnxbuild.Graph("else_branch", leaf))
		},
	}
	for name, b := range cases {
		m := onnxbuild.New(name, map[string]int64{"": 13})
		m.Input("x", tensor.Float32, 1)
		b(m)
		m.Output("y", tensor.Float32, 1)
		if _, err := importer.LoadBytes(mustBytes(t, m)); !errors.Is(err, importer.ErrInvalidGraph) {
			t.Errorf("%s: got %v, want ErrInvalidGraph", name, err)
		}
	}
}

func TestUnsupportedListedAtOnce(t *testing.T) {
	m := onnxbuild.New("unsup", map[string]int64{"": 15, "com.acme": 2})
	m.Input("x", tensor.Float32, 2)
	m.Node("Frobnicate", []string{"x"}, []string{"a"})
	m.Node("Frobnicate", []string{"a"}, []string{"b"})
	m.DomainNode("com.acme", "Widget", []string{"b"}, []string{"c"})
	m.Node("Relu", []string{"c"}, []string{"d"}) // supported
	// An unsupported op only inside an If branch is found too.
	then := &onnxpb.GraphProto{Name: proto.String("then"),
		Node:   []*onnxpb.NodeProto{{OpType: proto.String("Gizmo"), Input: []string{"d"}, Output: []string{"t"}}},
		Output: []*onnxpb.ValueInfoProto{onnxbuild.ValueInfo("t", tensor.Float32, 2)}}
	els := &onnxpb.GraphProto{Name: proto.String("else"),
		Node:   []*onnxpb.NodeProto{{OpType: proto.String("Identity"), Input: []string{"d"}, Output: []string{"e"}}},
		Output: []*onnxpb.ValueInfoProto{onnxbuild.ValueInfo("e", tensor.Float32, 2)}}
	m.Input("cond", tensor.Bool)
	m.Node("If", []string{"cond"}, []string{"y"}, onnxbuild.Graph("then_branch", then), onnxbuild.Graph("else_branch", els))
	m.Output("y", tensor.Float32, 2)
	b := mustBytes(t, m)

	l := importer.Loader{Registry: optnet.DefaultRegistry()}
	_, err := l.LoadBytes(b)
	var ue *runtime.UnsupportedError
	if !errors.As(err, &ue) || !errors.Is(err, runtime.ErrUnsupportedOp) {
		t.Fatalf("got %v, want *runtime.UnsupportedError", err)
	}
	type key struct {
		domain, op string
		version    int
		nodes      int
	}
	var got []key
	for _, u := range ue.Ops {
		got = append(got, key{u.Domain, u.OpType, u.Version, len(u.Nodes)})
	}
	want := []key{{"", "Frobnicate", 15, 2}, {"", "Gizmo", 15, 1}, {"com.acme", "Widget", 2, 1}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("unsupported ops %+v, want %+v", got, want)
	}
	// Without a registry the model loads (optrun info relies on it).
	if _, err := importer.LoadBytes(b); err != nil {
		t.Fatalf("without registry: %v", err)
	}
}

// scaleFunction is a model-local function local::AddBias(X) = X + bias,
// with attribute bias (default 1) read through a Constant node.
func scaleFunction() *onnxpb.FunctionProto {
	return &onnxpb.FunctionProto{
		Name: proto.String("AddBias"), Domain: proto.String("local"),
		Input: []string{"X"}, Output: []string{"Y"},
		AttributeProto: []*onnxpb.AttributeProto{onnxbuild.Float("bias", 1)},
		Node: []*onnxpb.NodeProto{
			{OpType: proto.String("Constant"), Output: []string{"c"}, Attribute: []*onnxpb.AttributeProto{
				{Name: proto.String("value_float"), RefAttrName: proto.String("bias"), Type: onnxpb.AttributeProto_FLOAT.Enum()}}},
			{OpType: proto.String("Add"), Input: []string{"X", "c"}, Output: []string{"t"}},
			{OpType: proto.String("Identity"), Input: []string{"t"}, Output: []string{"Y"}},
		},
		OpsetImport: []*onnxpb.OperatorSetIdProto{{Domain: proto.String(""), Version: proto.Int64(13)}},
	}
}

// functionModel calls local::AddBias twice and local::Twice (which calls
// AddBias, passing its attribute on) once.
func functionModel(tb testing.TB) []byte {
	m := onnxbuild.New("fn", map[string]int64{"": 13, "local": 1})
	m.Proto().Functions = append(m.Proto().Functions, scaleFunction(),
		// local::Twice(X; b) = AddBias(AddBias(X, bias=b), bias=b): a
		// function calling a function, passing its attribute on.
		&onnxpb.FunctionProto{
			Name: proto.String("Twice"), Domain: proto.String("local"),
			Input: []string{"X"}, Output: []string{"Y"}, Attribute: []string{"b"},
			Node: []*onnxpb.NodeProto{
				{OpType: proto.String("AddBias"), Domain: proto.String("local"), Input: []string{"X"}, Output: []string{"t"},
					Attribute: []*onnxpb.AttributeProto{{Name: proto.String("bias"), RefAttrName: proto.String("b"), Type: onnxpb.AttributeProto_FLOAT.Enum()}}},
				{OpType: proto.String("AddBias"), Domain: proto.String("local"), Input: []string{"t"}, Output: []string{"Y"},
					Attribute: []*onnxpb.AttributeProto{{Name: proto.String("bias"), RefAttrName: proto.String("b"), Type: onnxpb.AttributeProto_FLOAT.Enum()}}},
			},
		})
	m.Input("x", tensor.Float32, 2)
	m.DomainNode("local", "AddBias", []string{"x"}, []string{"y1"}, onnxbuild.Float("bias", 10))
	m.DomainNode("local", "AddBias", []string{"x"}, []string{"y2"}) // default bias 1
	m.DomainNode("local", "Twice", []string{"y1"}, []string{"y3"}, onnxbuild.Float("b", 100))
	m.Output("y1", tensor.Float32, 2)
	m.Output("y2", tensor.Float32, 2)
	m.Output("y3", tensor.Float32, 2)
	return mustBytes(tb, m)
}

func TestFunctionInlining(t *testing.T) {
	b := functionModel(t)
	im, err := importer.LoadBytes(b)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range im.Graph.Nodes {
		if n.Domain == "local" {
			t.Fatalf("node %v was not inlined", n)
		}
	}
	out := runModel(t, b, map[string]*tensor.Tensor{"x": f32([]int{2}, 1, 2)})
	assertF32(t, "y1", out["y1"], []int{2}, 11, 12)
	assertF32(t, "y2", out["y2"], []int{2}, 2, 3)
	assertF32(t, "y3", out["y3"], []int{2}, 211, 212)
}

func TestRecursiveFunction(t *testing.T) {
	m := onnxbuild.New("rec", map[string]int64{"": 13, "local": 1})
	m.Proto().Functions = append(m.Proto().Functions, &onnxpb.FunctionProto{
		Name: proto.String("Loop"), Domain: proto.String("local"), Input: []string{"X"}, Output: []string{"Y"},
		Node: []*onnxpb.NodeProto{{OpType: proto.String("Loop"), Domain: proto.String("local"), Input: []string{"X"}, Output: []string{"Y"}}},
	})
	m.Input("x", tensor.Float32, 2)
	m.DomainNode("local", "Loop", []string{"x"}, []string{"y"})
	m.Output("y", tensor.Float32, 2)
	if _, err := importer.LoadBytes(mustBytes(t, m)); !errors.Is(err, importer.ErrInvalidGraph) {
		t.Fatalf("got %v, want ErrInvalidGraph", err)
	}
}

// TestOpsetBindingPerDomain registers an op whose semantics changed at
// versions 1, 3 and 7 of a custom domain, and checks every model binds
// the registration its own opset import selects, independently of the
// default domain's version.
func TestOpsetBindingPerDomain(t *testing.T) {
	reg := runtime.NewRegistry()
	for _, since := range []int{1, 3, 7} {
		factor := float32(since)
		reg.MustRegister(&runtime.Op{Domain: "com.test", Type: "Scale", Since: since, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1},
			Build: func(b *runtime.BuildContext) (runtime.Kernel, error) {
				return runtime.KernelFunc(func(_ *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
					x := tensor.Data[float32](in[0])
					y := make([]float32, len(x))
					for i := range x {
						y[i] = x[i] * factor
					}
					return []*tensor.Tensor{tensor.MustFromSlice(in[0].Shape(), y)}, nil
				}), nil
			}})
	}
	for _, c := range []struct {
		opsets map[string]int64
		want   float32 // the factor bound
	}{
		{map[string]int64{"": 1, "com.test": 1}, 1},
		{map[string]int64{"": 20, "com.test": 2}, 1},
		{map[string]int64{"": 13, "com.test": 3}, 3},
		{map[string]int64{"": 13, "com.test": 6}, 3},
		{map[string]int64{"": 1, "com.test": 7}, 7},
		{map[string]int64{"": 13, "com.test": 99}, 7},
	} {
		m := onnxbuild.New("bind", c.opsets)
		m.Input("x", tensor.Float32, 1)
		m.DomainNode("com.test", "Scale", []string{"x"}, []string{"y"})
		m.Output("y", tensor.Float32, 1)
		im, err := importer.LoadBytes(mustBytes(t, m))
		if err != nil {
			t.Fatal(err)
		}
		cm, err := runtime.Compile(im.Graph, reg, runtime.Options{})
		if err != nil {
			t.Fatal(err)
		}
		out, err := cm.Run(context.Background(), map[string]*tensor.Tensor{"x": f32([]int{1}, 2)})
		if err != nil {
			t.Fatal(err)
		}
		if got := tensor.Data[float32](out["y"])[0]; got != 2*c.want {
			t.Errorf("opsets %v: y = %v, want %v (registration since %v)", c.opsets, got, 2*c.want, c.want)
		}
	}
	// Below the first registration there is nothing to bind.
	m := onnxbuild.New("bind0", map[string]int64{"": 13})
	m.Input("x", tensor.Float32, 1)
	m.DomainNode("com.test", "Scale", []string{"x"}, []string{"y"})
	m.Output("y", tensor.Float32, 1)
	// com.test not imported: version 1 applies.
	im, err := importer.LoadBytes(mustBytes(t, m))
	if err != nil {
		t.Fatal(err)
	}
	if err := reg.CheckSupported(im.Graph); err != nil {
		t.Fatalf("com.test without an import: %v", err)
	}
	// "ai.onnx" and "" name the same domain.
	m = onnxbuild.New("alias", map[string]int64{"ai.onnx": 13})
	m.Input("x", tensor.Float32, 1)
	m.Node("Relu", []string{"x"}, []string{"y"})
	m.Output("y", tensor.Float32, 1)
	im, err = importer.LoadBytes(mustBytes(t, m))
	if err != nil {
		t.Fatal(err)
	}
	if im.Opset("") != 13 || im.Opset("ai.onnx") != 13 {
		t.Fatalf("ai.onnx import: Opset(\"\") = %d", im.Opset(""))
	}
}

// sparseModel declares a float32 sparse initializer "w" of dims with the
// given indices (linear if len(indices) == len(values), else [nnz, rank]).
func sparseModel(t testing.TB, dims, indices []int64, values []float32) []byte {
	m := onnxbuild.New("sparse", map[string]int64{"": 13})
	idxDims := []int64{int64(len(indices))}
	if len(indices) != len(values) && len(values) > 0 {
		idxDims = []int64{int64(len(values)), int64(len(indices) / len(values))}
	}
	m.Graph().SparseInitializer = append(m.Graph().SparseInitializer, &onnxpb.SparseTensorProto{
		Values:  &onnxpb.TensorProto{Name: proto.String("w"), Dims: []int64{int64(len(values))}, DataType: proto.Int32(int32(onnxpb.TensorProto_FLOAT)), FloatData: values},
		Indices: &onnxpb.TensorProto{Dims: idxDims, DataType: proto.Int32(int32(onnxpb.TensorProto_INT64)), Int64Data: indices},
		Dims:    dims,
	})
	m.Node("Identity", []string{"w"}, []string{"y"})
	m.Output("y", tensor.Float32)
	return mustBytes(t, m)
}

func TestSparseInitializers(t *testing.T) {
	for name, b := range map[string][]byte{
		"linear indices":     sparseModel(t, []int64{2, 3}, []int64{0, 4, 5}, []float32{7, 8, 9}),
		"coordinate indices": sparseModel(t, []int64{2, 3}, []int64{0, 0, 1, 1, 1, 2}, []float32{7, 8, 9}),
	} {
		im, err := importer.LoadBytes(b)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		assertF32(t, name, im.Graph.Initializers["w"], []int{2, 3}, 7, 0, 0, 0, 8, 9)
	}
	for name, c := range map[string]struct {
		b    []byte
		want error
	}{
		"linear index out of range":     {sparseModel(t, []int64{2, 3}, []int64{0, 6}, []float32{1, 2}), importer.ErrInvalidGraph},
		"negative linear index":         {sparseModel(t, []int64{2, 3}, []int64{-1}, []float32{1}), importer.ErrInvalidGraph},
		"coordinate out of range":       {sparseModel(t, []int64{2, 3}, []int64{0, 3}, []float32{1}), importer.ErrInvalidGraph},
		"more indices than values":      {sparseModel(t, []int64{2, 3}, []int64{0, 1, 2}, []float32{1, 2}), importer.ErrInvalidGraph},
		"negative dense dim":            {sparseModel(t, []int64{-2, 3}, []int64{0}, []float32{1}), importer.ErrInvalidGraph},
		"dense shape over the limit":    {sparseModel(t, []int64{1 << 20, 1 << 20}, []int64{0}, []float32{1}), importer.ErrTooLarge},
		"dense shape overflows int64*4": {sparseModel(t, []int64{1 << 31, 1 << 31}, []int64{0}, []float32{1}), importer.ErrTooLarge},
	} {
		if _, err := importer.LoadBytes(c.b); !errors.Is(err, c.want) {
			t.Errorf("%s: got %v, want %v", name, err, c.want)
		}
	}
}

// TestIR3InitializersAsInputs: IR version 3 models list every initializer
// among the graph inputs too; the initializer is the input's default.
func TestIR3InitializersAsInputs(t *testing.T) {
	m := onnxbuild.New("ir3", map[string]int64{"": 8})
	m.Proto().IrVersion = proto.Int64(3)
	m.Input("x", tensor.Float32, 2)
	m.Input("w", tensor.Float32, 2)
	m.Initializer("w", f32([]int{2}, 10, 20))
	m.Node("Add", []string{"x", "w"}, []string{"y"})
	m.Output("y", tensor.Float32, 2)
	b := mustBytes(t, m)

	cm, err := optnet.LoadBytes(b, optnet.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !cm.Optional("w") || cm.Optional("x") {
		t.Errorf("Optional(w) = %v, Optional(x) = %v; want true, false", cm.Optional("w"), cm.Optional("x"))
	}
	out, err := cm.Run(context.Background(), map[string]*tensor.Tensor{"x": f32([]int{2}, 1, 2)})
	if err != nil {
		t.Fatal(err)
	}
	assertF32(t, "y (default w)", out["y"], []int{2}, 11, 22)
	out, err = cm.Run(context.Background(), map[string]*tensor.Tensor{"x": f32([]int{2}, 1, 2), "w": f32([]int{2}, -1, -1)})
	if err != nil {
		t.Fatal(err)
	}
	assertF32(t, "y (w given)", out["y"], []int{2}, 0, 1)
}

// TestFunctionWithSubgraph: an If inside a function body reads a value
// the body computes; inlining must rename it inside the branches too.
func subgraphModel(tb testing.TB) []byte {
	branch := func(name, from string) *onnxpb.GraphProto {
		return &onnxpb.GraphProto{Name: proto.String(name),
			Node:   []*onnxpb.NodeProto{{OpType: proto.String("Identity"), Input: []string{from}, Output: []string{name + "_out"}}},
			Output: []*onnxpb.ValueInfoProto{onnxbuild.ValueInfo(name+"_out", tensor.Float32, 2)}}
	}
	m := onnxbuild.New("fnif", map[string]int64{"": 13, "local": 1})
	m.Proto().Functions = append(m.Proto().Functions, &onnxpb.FunctionProto{
		Name: proto.String("Gate"), Domain: proto.String("local"),
		Input: []string{"X", "C"}, Output: []string{"Y"},
		Node: []*onnxpb.NodeProto{
			{OpType: proto.String("Add"), Input: []string{"X", "X"}, Output: []string{"t"}},
			{OpType: proto.String("If"), Input: []string{"C"}, Output: []string{"Y"}, Attribute: []*onnxpb.AttributeProto{
				onnxbuild.Graph("then_branch", branch("then", "t")), onnxbuild.Graph("else_branch", branch("else", "X"))}},
		},
	})
	m.Input("x", tensor.Float32, 2)
	m.Input("c", tensor.Bool)
	// Two calls, so the body's "t" exists twice under different names.
	m.DomainNode("local", "Gate", []string{"x", "c"}, []string{"y"})
	m.DomainNode("local", "Gate", []string{"y", "c"}, []string{"z"})
	m.Output("z", tensor.Float32, 2)
	return mustBytes(tb, m)
}

func TestFunctionWithSubgraph(t *testing.T) {
	b := subgraphModel(t)
	x := f32([]int{2}, 1, -3)
	out := runModel(t, b, map[string]*tensor.Tensor{"x": x, "c": tensor.Scalar(true)})
	assertF32(t, "z (then)", out["z"], []int{2}, 4, -12)
	out = runModel(t, b, map[string]*tensor.Tensor{"x": x, "c": tensor.Scalar(false)})
	assertF32(t, "z (else)", out["z"], []int{2}, 1, -3)
}

// TestFunctionOverloads: IR 10 functions sharing a name are told apart by
// overload.
func TestFunctionOverloads(t *testing.T) {
	fn := func(overload string, bias float32) *onnxpb.FunctionProto {
		f := scaleFunction()
		f.Overload = proto.String(overload)
		f.AttributeProto = []*onnxpb.AttributeProto{onnxbuild.Float("bias", bias)}
		return f
	}
	m := onnxbuild.New("overload", map[string]int64{"": 13, "local": 1})
	m.Proto().IrVersion = proto.Int64(10)
	m.Proto().Functions = append(m.Proto().Functions, fn("", 1), fn("big", 1000))
	m.Input("x", tensor.Float32, 1)
	m.DomainNode("local", "AddBias", []string{"x"}, []string{"a"})
	m.DomainNode("local", "AddBias", []string{"x"}, []string{"b"})
	m.Graph().Node[1].Overload = proto.String("big")
	m.Output("a", tensor.Float32, 1)
	m.Output("b", tensor.Float32, 1)
	out := runModel(t, mustBytes(t, m), map[string]*tensor.Tensor{"x": f32([]int{1}, 1)})
	assertF32(t, "a", out["a"], []int{1}, 2)
	assertF32(t, "b", out["b"], []int{1}, 1001)
}

func TestSparseOtherDTypes(t *testing.T) {
	m := onnxbuild.New("sparsebool", map[string]int64{"": 13})
	m.Graph().SparseInitializer = append(m.Graph().SparseInitializer, &onnxpb.SparseTensorProto{
		Values:  &onnxpb.TensorProto{Name: proto.String("w"), Dims: []int64{2}, DataType: proto.Int32(int32(onnxpb.TensorProto_BOOL)), Int32Data: []int32{1, 1}},
		Indices: &onnxpb.TensorProto{Dims: []int64{2}, DataType: proto.Int32(int32(onnxpb.TensorProto_INT64)), Int64Data: []int64{1, 3}},
		Dims:    []int64{4},
	})
	m.Node("Identity", []string{"w"}, []string{"y"})
	m.Output("y", tensor.Bool, 4)
	im, err := importer.LoadBytes(mustBytes(t, m))
	if err != nil {
		t.Fatal(err)
	}
	if got := tensor.Data[bool](im.Graph.Initializers["w"]); !reflect.DeepEqual(got, []bool{false, true, false, true}) {
		t.Fatalf("w = %v", got)
	}
}

package optnet_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/optnet-go/optnet"
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// FuzzRun builds a small random graph of registered operators from the
// fuzz input — random inputs (dtypes, shapes, values), constants, op
// types, arities and attributes — then compiles and runs it. Ops must
// answer bad graphs with errors; a panic, which the runtime reports as
// ErrInternal, fails the fuzz target (a bug in that op to fix or report).
//
// The ops come from optnet.NewRegistry(), so the target covers every op
// as it is added. The committed corpus (testdata/fuzz/FuzzRun) runs with
// the normal tests; docs/robustness.md says how to fuzz for longer.
func FuzzRun(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte("\x0d\x01\x00\x02\x03\x00\x01\x02\x03\x04\x05\x06\x07\x08"))
	f.Add([]byte("\x0b\x02\x01\x03\x02\x02\x07\x07\x00\x03\x05\x01\x02\x10\x20\x30\x40\x50"))
	f.Add([]byte("\x05\x03\x04\x01\x00\x02\x01\x01\x09\x05\x03\x03\x01\x00\x02\x02\x11\x22\x33\x44\x55\x66\x77"))
	reg := optnet.NewRegistry()
	ops := fuzzableOps(reg)
	f.Fuzz(func(t *testing.T, data []byte) {
		g, inputs := randomGraph(&byteSource{b: data}, reg, ops)
		m, err := runtime.Compile(g, reg, runtime.Options{MaxTensorBytes: 1 << 24})
		if err != nil {
			if errors.Is(err, runtime.ErrInternal) && !knownFinding(err) {
				t.Fatalf("compile %s: %v", describeGraph(g), err)
			}
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if _, err := m.Run(ctx, inputs); errors.Is(err, runtime.ErrInternal) && !knownFinding(err) {
			t.Fatalf("run %s: %v", describeGraph(g), err)
		}
	})
}

// knownFinding reports whether err matches the regular expression in the
// environment variable OPTNET_FUZZ_KNOWN: crashes already reported, which
// a long fuzzing session should step over.
func knownFinding(err error) bool {
	re := os.Getenv("OPTNET_FUZZ_KNOWN")
	return re != "" && regexp.MustCompile(re).MatchString(err.Error())
}

// opChoice is one registered op the fuzzer may use.
type opChoice struct {
	domain, typ string
	op          *runtime.Op
}

// fuzzableOps lists the newest registration of every op, except those
// that need graph attributes (control flow) and those named in the
// environment variable OPTNET_FUZZ_SKIP_OPS (comma-separated op types), so
// a long fuzzing session can go on past a crash already reported.
func fuzzableOps(reg *runtime.Registry) []opChoice {
	skip := map[string]bool{"If": true, "Loop": true, "Scan": true, "SequenceMap": true}
	for _, op := range strings.Split(os.Getenv("OPTNET_FUZZ_SKIP_OPS"), ",") {
		skip[strings.TrimSpace(op)] = true
	}
	var out []opChoice
	keys := reg.Keys()
	for i, k := range keys {
		if skip[k.Type] || (i+1 < len(keys) && keys[i+1].Domain == k.Domain && keys[i+1].Type == k.Type) {
			continue
		}
		op, _ := reg.Lookup(k.Domain, k.Type, k.Since)
		out = append(out, opChoice{k.Domain, k.Type, op})
	}
	return out
}

// byteSource hands out the fuzz input as small numbers; past the end it
// gives zeros.
type byteSource struct {
	b []byte
	i int
}

func (s *byteSource) next() int {
	if s.i >= len(s.b) {
		return 0
	}
	v := s.b[s.i]
	s.i++
	return int(v)
}

// intn returns a number in [0, n).
func (s *byteSource) intn(n int) int {
	if n <= 1 {
		return 0
	}
	return s.next() % n
}

var fuzzDTypes = []tensor.DType{tensor.Float32, tensor.Float32, tensor.Float32, tensor.Float64,
	tensor.Int64, tensor.Int32, tensor.Bool, tensor.Uint8, tensor.Float16, tensor.Int8, tensor.String}

var fuzzOpsets = []int{13, 7, 9, 11, 12, 14, 15, 16, 17, 18, 19, 20, 21, 1, 6, 10}

func (s *byteSource) tensor(dt tensor.DType, shape []int) *tensor.Tensor {
	n := tensor.NumElements(shape)
	switch {
	case dt.IsFloat():
		v := make([]float64, n)
		for i := range v {
			v[i] = float64(s.next()-128) / 16
		}
		t, _ := tensor.Convert(tensor.MustFromSlice(shape, v), dt)
		return t
	case dt.IsInt():
		v := make([]int64, n)
		for i := range v {
			v[i] = int64(s.next()%9 - 2)
		}
		t, _ := tensor.Convert(tensor.MustFromSlice(shape, v), dt)
		return t
	case dt == tensor.Bool:
		v := make([]bool, n)
		for i := range v {
			v[i] = s.next()&1 == 1
		}
		return tensor.MustFromSlice(shape, v)
	default:
		v := make([]string, n)
		for i := range v {
			v[i] = string(rune('a' + s.intn(3)))
		}
		return tensor.MustFromSlice(shape, v)
	}
}

func (s *byteSource) shape() []int {
	shape := make([]int, s.intn(5)) // rank 0..4
	for i := range shape {
		shape[i] = s.intn(5) // dims 0..4
	}
	return shape
}

func (s *byteSource) ints(n, lo, hi int) []int64 {
	v := make([]int64, n)
	for i := range v {
		v[i] = int64(lo + s.intn(hi-lo+1))
	}
	return v
}

// attribute makes one attribute from a pool of names ops commonly read,
// usually of the kind the op expects, sometimes not.
func (s *byteSource) attribute() runtime.Attribute {
	ints := func(name string, n, lo, hi int) runtime.Attribute {
		return runtime.Attribute{Name: name, Kind: runtime.AttrInts, Ints: s.ints(n, lo, hi)}
	}
	integer := func(name string, lo, hi int) runtime.Attribute {
		return runtime.Attribute{Name: name, Kind: runtime.AttrInt, Int: int64(lo + s.intn(hi-lo+1))}
	}
	float := func(name string) runtime.Attribute {
		return runtime.Attribute{Name: name, Kind: runtime.AttrFloat, Float: float32(s.next()-64) / 32}
	}
	str := func(name string, choices ...string) runtime.Attribute {
		return runtime.Attribute{Name: name, Kind: runtime.AttrString, String: choices[s.intn(len(choices))]}
	}
	switch s.intn(40) {
	case 0:
		return integer("axis", -4, 4)
	case 1:
		return ints("axes", s.intn(4), -4, 4)
	case 2:
		return integer("keepdims", 0, 1)
	case 3:
		return ints("perm", s.intn(5), -1, 4)
	case 4:
		return float("alpha")
	case 5:
		return float("beta")
	case 6:
		return integer("transA", 0, 1)
	case 7:
		return integer("transB", 0, 1)
	case 8:
		return float("epsilon")
	case 9:
		return integer("to", 0, 17)
	case 10:
		return str("mode", "constant", "reflect", "edge", "nearest", "linear", "cubic", "DCR", "CRD", "bogus")
	case 11:
		return ints("kernel_shape", s.intn(4), 0, 3)
	case 12:
		return ints("pads", s.intn(9), -1, 3)
	case 13:
		return ints("strides", s.intn(4), 0, 3)
	case 14:
		return ints("dilations", s.intn(4), 0, 3)
	case 15:
		return integer("group", 0, 3)
	case 16:
		return str("auto_pad", "NOTSET", "SAME_UPPER", "SAME_LOWER", "VALID", "bogus")
	case 17:
		return runtime.Attribute{Name: "value", Kind: runtime.AttrTensor, Tensor: s.tensor(fuzzDTypes[s.intn(len(fuzzDTypes))], s.shape())}
	case 18:
		return integer("ceil_mode", 0, 1)
	case 19:
		return integer("count_include_pad", 0, 1)
	case 20:
		return str("direction", "LEFT", "RIGHT", "forward", "reverse", "bidirectional")
	case 21:
		return integer("noop_with_empty_axes", 0, 1)
	case 22:
		return integer("select_last_index", 0, 1)
	case 23:
		return integer("exclusive", 0, 1)
	case 24:
		return integer("reverse", 0, 1)
	case 25:
		return integer("batch_dims", -1, 2)
	case 26:
		return integer("blocksize", 0, 3)
	case 27:
		return integer("largest", 0, 1)
	case 28:
		return ints("split", s.intn(4), -1, 4)
	case 29:
		return integer("num_outputs", 0, 4)
	case 30:
		return integer("start", -4, 4)
	case 31:
		return integer("end", -4, 4)
	case 32:
		return integer("dtype", 0, 17)
	case 33:
		return ints("shape", s.intn(4), 0, 4)
	case 34:
		return str("equation", "ij,jk->ik", "i,i", "...ii->...i", "ab", "->", "ij->ji")
	case 35:
		return str("reduction", "none", "add", "mul", "max", "min", "mean", "sum")
	case 36:
		return float("min")
	case 37:
		return float("max")
	case 38:
		return integer("p", 0, 3)
	default: // the wrong kind for a common name
		return runtime.Attribute{Name: []string{"axis", "perm", "alpha", "mode"}[s.intn(4)], Kind: runtime.AttrKind(1 + s.intn(10)), Float: 1, Int: 1, String: "x"}
	}
}

// randomGraph builds a graph and matching inputs from s.
func randomGraph(s *byteSource, reg *runtime.Registry, ops []opChoice) (*runtime.Graph, map[string]*tensor.Tensor) {
	g := &runtime.Graph{
		Name:         "fuzz",
		Initializers: map[string]*tensor.Tensor{},
		Opsets:       map[string]int{"": fuzzOpsets[s.intn(len(fuzzOpsets))], "com.optnet": 1},
	}
	inputs := map[string]*tensor.Tensor{}
	// pool holds the values nodes may read, with a guess of their dtype
	// (exact for inputs and constants; a node's outputs are guessed to
	// have its first input's dtype, right for most elementwise ops).
	var pool []string
	guess := map[string]tensor.DType{}
	for i, n := 0, 1+s.intn(3); i < n; i++ {
		name := fmt.Sprintf("in%d", i)
		dt := fuzzDTypes[s.intn(len(fuzzDTypes))]
		t := s.tensor(dt, s.shape())
		inputs[name] = t
		dims := make([]runtime.Dim, t.Rank())
		for j, d := range t.Shape() {
			dims[j] = runtime.Dim{Value: int64(d)}
			if s.intn(3) == 0 {
				dims[j] = runtime.Dim{Value: -1, Param: "d"}
			}
		}
		g.Inputs = append(g.Inputs, runtime.ValueInfo{Name: name, Kind: runtime.KindTensor, DType: dt, Shape: dims})
		pool = append(pool, name)
		guess[name] = dt
	}
	for i, n := 0, s.intn(3); i < n; i++ {
		// Constants: small int64 vectors (shapes, axes, indices, pads) or
		// scalars of any type.
		name := fmt.Sprintf("c%d", i)
		if s.intn(2) == 0 {
			v := s.ints(s.intn(5), -2, 4)
			g.Initializers[name] = tensor.MustFromSlice([]int{len(v)}, v)
		} else {
			g.Initializers[name] = s.tensor(fuzzDTypes[s.intn(len(fuzzDTypes))], nil)
		}
		pool = append(pool, name)
		guess[name] = g.Initializers[name].DType()
	}
	if len(ops) == 0 {
		return g, inputs
	}
	for i, n := 0, 1+s.intn(4); i < n; i++ {
		c := ops[s.intn(len(ops))]
		node := &runtime.Node{Name: fmt.Sprintf("n%d", i), OpType: c.typ, Domain: c.domain}
		lo, hi := c.op.Inputs[0], c.op.Inputs[1]
		if hi == runtime.Variadic || hi > lo+3 {
			hi = lo + 3
		}
		for j, k := 0, lo+s.intn(hi-lo+1); j < k; j++ {
			if j >= lo && s.intn(6) == 0 {
				node.Inputs = append(node.Inputs, "") // omitted optional input
				continue
			}
			// Mostly read values of the first input's (guessed) dtype, so
			// that binary ops get past their dtype check.
			var same []string
			if len(node.Inputs) > 0 && node.Inputs[0] != "" && s.intn(4) != 0 {
				for _, v := range pool {
					if guess[v] == guess[node.Inputs[0]] {
						same = append(same, v)
					}
				}
			}
			if len(same) > 0 {
				node.Inputs = append(node.Inputs, same[s.intn(len(same))])
			} else {
				node.Inputs = append(node.Inputs, pool[s.intn(len(pool))])
			}
		}
		olo, ohi := c.op.Outputs[0], c.op.Outputs[1]
		if ohi == runtime.Variadic || ohi > olo+2 {
			ohi = olo + 2
		}
		for j, k := 0, olo+s.intn(ohi-olo+1); j < k; j++ {
			out := fmt.Sprintf("v%d_%d", i, j)
			node.Outputs = append(node.Outputs, out)
			pool = append(pool, out)
			if len(node.Inputs) > 0 {
				guess[out] = guess[node.Inputs[0]]
			}
			g.Outputs = append(g.Outputs, runtime.ValueInfo{Name: out, Kind: runtime.KindTensor})
		}
		for j, k := 0, s.intn(4); j < k; j++ {
			node.Attrs = append(node.Attrs, s.attribute())
		}
		g.Nodes = append(g.Nodes, node)
	}
	return g, inputs
}

// describeGraph prints a graph compactly for failure messages.
func describeGraph(g *runtime.Graph) string {
	s := fmt.Sprintf("opset %d, inputs", g.Opsets[""])
	for _, in := range g.Inputs {
		s += fmt.Sprintf(" %s:%v%s", in.Name, in.DType, in.ShapeString())
	}
	for name, t := range g.Initializers {
		s += fmt.Sprintf(", const %s=%v", name, t)
	}
	for _, n := range g.Nodes {
		s += fmt.Sprintf("; %s = %s(%v)", n.Outputs, n.OpType, n.Inputs)
		for _, a := range n.Attrs {
			var v any
			switch a.Kind {
			case runtime.AttrInt:
				v = a.Int
			case runtime.AttrInts:
				v = a.Ints
			case runtime.AttrFloat:
				v = a.Float
			case runtime.AttrString:
				v = a.String
			case runtime.AttrTensor:
				v = a.Tensor
			}
			s += fmt.Sprintf(" %s:%v=%v", a.Name, a.Kind, v)
		}
	}
	return s
}

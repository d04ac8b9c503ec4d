package importer

import (
	"fmt"
	"io"
	"io/fs"
	"path"
	"reflect"
	"strconv"

	"github.com/optnet-go/optnet/onnxpb"
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
	"github.com/optnet-go/optnet/tensorpb"
)

// maxNesting bounds subgraph and function nesting, so a hostile model
// cannot exhaust the stack.
const maxNesting = 64

type decoder struct {
	loader    *Loader
	openDir   func() (fs.FS, string, error)
	fsys      fs.FS
	dir       string
	dirErr    error
	dirOpened bool
	functions map[string]*onnxpb.FunctionProto
	inlined   int // counter for unique names of inlined function values
}

func (d *decoder) graph(gp *onnxpb.GraphProto, opsets map[string]int, depth int) (*runtime.Graph, error) {
	if depth > maxNesting {
		return nil, fmt.Errorf("%w: subgraphs nested deeper than %d", ErrInvalidGraph, maxNesting)
	}
	g := &runtime.Graph{
		Name:         gp.GetName(),
		Initializers: map[string]*tensor.Tensor{},
		Opsets:       opsets,
	}
	for _, tp := range gp.Initializer {
		name := tp.GetName()
		if name == "" {
			return nil, fmt.Errorf("%w: graph %q has an initializer without a name", ErrInvalidGraph, g.Name)
		}
		if _, dup := g.Initializers[name]; dup {
			return nil, fmt.Errorf("%w: initializer %q is defined twice", ErrInvalidGraph, name)
		}
		t, err := d.tensor(tp)
		if err != nil {
			return nil, fmt.Errorf("initializer %q: %w", name, err)
		}
		g.Initializers[name] = t
	}
	for _, sp := range gp.SparseInitializer {
		name := sp.GetValues().GetName()
		if _, dup := g.Initializers[name]; dup || name == "" {
			return nil, fmt.Errorf("%w: sparse initializer %q is unnamed or defined twice", ErrInvalidGraph, name)
		}
		t, err := d.sparse(sp)
		if err != nil {
			return nil, fmt.Errorf("sparse initializer %q: %w", name, err)
		}
		g.Initializers[name] = t
	}
	var err error
	if g.Inputs, err = valueInfos(gp.Input); err != nil {
		return nil, err
	}
	if g.Outputs, err = valueInfos(gp.Output); err != nil {
		return nil, err
	}
	if g.ValueInfo, err = valueInfos(gp.ValueInfo); err != nil {
		return nil, err
	}
	for _, np := range gp.Node {
		nodes, err := d.node(np, nil, opsets, depth)
		if err != nil {
			return nil, err
		}
		g.Nodes = append(g.Nodes, nodes...)
	}
	return g, nil
}

// node converts one NodeProto; extra are attributes already resolved (a
// function body's references to its caller's attributes). A call of a
// model-local function is expanded into the function's body.
func (d *decoder) node(np *onnxpb.NodeProto, extra []runtime.Attribute, opsets map[string]int, depth int) ([]*runtime.Node, error) {
	n := &runtime.Node{
		Name:    np.GetName(),
		OpType:  np.GetOpType(),
		Domain:  np.GetDomain(),
		Inputs:  np.Input,
		Outputs: np.Output,
	}
	if n.OpType == "" {
		return nil, fmt.Errorf("%w: node %q has no op_type", ErrInvalidGraph, n.Name)
	}
	for _, ap := range np.Attribute {
		a, err := d.attribute(ap, opsets, depth)
		if err != nil {
			return nil, fmt.Errorf("node %v: %w", n, err)
		}
		n.Attrs = append(n.Attrs, a)
	}
	n.Attrs = append(n.Attrs, extra...)
	if f, ok := d.functions[functionKey(np.GetDomain(), np.GetOpType(), np.GetOverload())]; ok {
		return d.inline(n, f, opsets, depth+1)
	}
	return []*runtime.Node{n}, nil
}

// functionKey identifies a model-local function (ONNX IR 10 lets several
// share a domain and name, told apart by overload).
func functionKey(domain, name, overload string) string {
	if domain == "ai.onnx" {
		domain = ""
	}
	return domain + "::" + name + "::" + overload
}

// inline expands a call of a model-local function: the body's values get
// fresh names, formal inputs/outputs are bound to the call's, and
// attribute references take the caller's values (or the defaults). Values
// the body's subgraphs read from the body are renamed the same way.
func (d *decoder) inline(call *runtime.Node, f *onnxpb.FunctionProto, opsets map[string]int, depth int) ([]*runtime.Node, error) {
	if depth > maxNesting {
		return nil, fmt.Errorf("%w: function %q expands deeper than %d (recursive?)", ErrInvalidGraph, f.GetName(), maxNesting)
	}
	d.inlined++
	prefix := fmt.Sprintf("%s__%d__", f.GetName(), d.inlined)
	rename := map[string]string{}
	for i, in := range f.Input {
		if i < len(call.Inputs) {
			rename[in] = call.Inputs[i]
		} else {
			rename[in] = ""
		}
	}
	for i, out := range f.Output {
		if i < len(call.Outputs) && call.Outputs[i] != "" {
			rename[out] = call.Outputs[i]
		} else {
			rename[out] = prefix + out
		}
	}
	name := func(s string) string {
		if s == "" {
			return ""
		}
		if r, ok := rename[s]; ok {
			return r
		}
		return prefix + s
	}
	attrs := map[string]runtime.Attribute{}
	for _, ap := range f.AttributeProto { // defaults
		a, err := d.attribute(ap, opsets, depth)
		if err != nil {
			return nil, fmt.Errorf("function %q: %w", f.GetName(), err)
		}
		attrs[a.Name] = a
	}
	for _, a := range call.Attrs {
		attrs[a.Name] = a
	}
	var out []*runtime.Node
	for _, np := range f.Node {
		// Resolve attribute references before converting, so that a
		// nested function call sees them too.
		np2 := &onnxpb.NodeProto{Input: np.Input, Output: np.Output, Name: np.Name, OpType: np.OpType, Domain: np.Domain, Overload: np.Overload}
		var refs []runtime.Attribute
		for _, ap := range np.Attribute {
			if ref := ap.GetRefAttrName(); ref != "" {
				if a, ok := attrs[ref]; ok {
					a.Name = ap.GetName()
					refs = append(refs, a)
				}
				continue
			}
			np2.Attribute = append(np2.Attribute, ap)
		}
		nodes, err := d.node(np2, refs, opsets, depth)
		if err != nil {
			return nil, fmt.Errorf("in function %q: %w", f.GetName(), err)
		}
		for _, n := range nodes {
			n.Inputs = mapNames(n.Inputs, name)
			n.Outputs = mapNames(n.Outputs, name)
			for _, a := range n.Attrs {
				if a.Graph != nil {
					renameFree(a.Graph, name)
				}
				for _, g := range a.Graphs {
					renameFree(g, name)
				}
			}
			if n.Name != "" {
				n.Name = call.Name + "/" + n.Name
			}
			out = append(out, n)
		}
	}
	return out, nil
}

// renameFree applies name to every value g (and its subgraphs) reads from
// enclosing scopes; values g defines shadow them and keep their names.
func renameFree(g *runtime.Graph, name func(string) string) {
	defined := map[string]bool{}
	for _, in := range g.Inputs {
		defined[in.Name] = true
	}
	for k := range g.Initializers {
		defined[k] = true
	}
	for _, n := range g.Nodes {
		for _, o := range n.Outputs {
			defined[o] = true
		}
	}
	free := func(s string) string {
		if s == "" || defined[s] {
			return s
		}
		return name(s)
	}
	for _, n := range g.Nodes {
		n.Inputs = mapNames(n.Inputs, free)
		for _, a := range n.Attrs {
			if a.Graph != nil {
				renameFree(a.Graph, free)
			}
			for _, sg := range a.Graphs {
				renameFree(sg, free)
			}
		}
	}
	for i := range g.Outputs {
		g.Outputs[i].Name = free(g.Outputs[i].Name)
	}
}

func mapNames(names []string, f func(string) string) []string {
	out := make([]string, len(names))
	for i, s := range names {
		out[i] = f(s)
	}
	return out
}

func (d *decoder) attribute(ap *onnxpb.AttributeProto, opsets map[string]int, depth int) (runtime.Attribute, error) {
	a := runtime.Attribute{Name: ap.GetName()}
	if a.Name == "" {
		return a, fmt.Errorf("%w: attribute without a name", ErrInvalidGraph)
	}
	typ := ap.GetType()
	if typ == onnxpb.AttributeProto_UNDEFINED {
		typ = inferAttrType(ap) // IR version 1 files leave type unset
	}
	var err error
	switch typ {
	case onnxpb.AttributeProto_FLOAT:
		a.Kind, a.Float = runtime.AttrFloat, ap.GetF()
	case onnxpb.AttributeProto_INT:
		a.Kind, a.Int = runtime.AttrInt, ap.GetI()
	case onnxpb.AttributeProto_STRING:
		a.Kind, a.String = runtime.AttrString, string(ap.GetS())
	case onnxpb.AttributeProto_TENSOR:
		a.Kind = runtime.AttrTensor
		if ap.T == nil {
			return a, fmt.Errorf("%w: tensor attribute %q has no tensor", ErrInvalidGraph, a.Name)
		}
		a.Tensor, err = d.tensor(ap.T)
	case onnxpb.AttributeProto_SPARSE_TENSOR:
		a.Kind = runtime.AttrSparseTensor
		if ap.SparseTensor == nil {
			return a, fmt.Errorf("%w: sparse tensor attribute %q is empty", ErrInvalidGraph, a.Name)
		}
		a.Tensor, err = d.sparse(ap.SparseTensor)
	case onnxpb.AttributeProto_GRAPH:
		a.Kind = runtime.AttrGraph
		if ap.G == nil {
			return a, fmt.Errorf("%w: graph attribute %q has no graph", ErrInvalidGraph, a.Name)
		}
		a.Graph, err = d.graph(ap.G, opsets, depth+1)
	case onnxpb.AttributeProto_FLOATS:
		a.Kind, a.Floats = runtime.AttrFloats, ap.Floats
	case onnxpb.AttributeProto_INTS:
		a.Kind, a.Ints = runtime.AttrInts, ap.Ints
	case onnxpb.AttributeProto_STRINGS:
		a.Kind = runtime.AttrStrings
		for _, s := range ap.Strings {
			a.Strings = append(a.Strings, string(s))
		}
	case onnxpb.AttributeProto_TENSORS:
		a.Kind = runtime.AttrTensors
		for _, tp := range ap.Tensors {
			t, err := d.tensor(tp)
			if err != nil {
				return a, fmt.Errorf("attribute %q: %w", a.Name, err)
			}
			a.Tensors = append(a.Tensors, t)
		}
	case onnxpb.AttributeProto_GRAPHS:
		a.Kind = runtime.AttrGraphs
		for _, gp := range ap.Graphs {
			g, err := d.graph(gp, opsets, depth+1)
			if err != nil {
				return a, err
			}
			a.Graphs = append(a.Graphs, g)
		}
	case onnxpb.AttributeProto_TYPE_PROTO:
		a.Kind = runtime.AttrTypeProto
		if tp := ap.GetTp().GetTensorType(); tp != nil {
			a.Int = int64(tp.GetElemType())
		}
	default:
		// Kinds no op reads (sparse tensors lists, type protos lists) are
		// kept by name only.
		a.Kind = runtime.AttrUndefined
	}
	if err != nil {
		return a, fmt.Errorf("attribute %q: %w", a.Name, err)
	}
	return a, nil
}

func inferAttrType(ap *onnxpb.AttributeProto) onnxpb.AttributeProto_AttributeType {
	switch {
	case ap.F != nil:
		return onnxpb.AttributeProto_FLOAT
	case ap.I != nil:
		return onnxpb.AttributeProto_INT
	case ap.S != nil:
		return onnxpb.AttributeProto_STRING
	case ap.T != nil:
		return onnxpb.AttributeProto_TENSOR
	case ap.G != nil:
		return onnxpb.AttributeProto_GRAPH
	case len(ap.Floats) > 0:
		return onnxpb.AttributeProto_FLOATS
	case len(ap.Ints) > 0:
		return onnxpb.AttributeProto_INTS
	case len(ap.Strings) > 0:
		return onnxpb.AttributeProto_STRINGS
	case len(ap.Tensors) > 0:
		return onnxpb.AttributeProto_TENSORS
	case len(ap.Graphs) > 0:
		return onnxpb.AttributeProto_GRAPHS
	}
	return onnxpb.AttributeProto_UNDEFINED
}

func valueInfos(vps []*onnxpb.ValueInfoProto) ([]runtime.ValueInfo, error) {
	out := make([]runtime.ValueInfo, 0, len(vps))
	for _, vp := range vps {
		vi, err := ValueInfo(vp)
		if err != nil {
			return nil, err
		}
		out = append(out, vi)
	}
	return out, nil
}

// ValueInfo converts a ValueInfoProto. Element types the runtime does not
// store are left Undefined (a run will refuse such inputs by type).
func ValueInfo(vp *onnxpb.ValueInfoProto) (runtime.ValueInfo, error) {
	vi := runtime.ValueInfo{Name: vp.GetName()}
	tp := vp.GetType()
	switch {
	case tp == nil:
		vi.Kind = runtime.KindTensor
	case tp.GetTensorType() != nil:
		vi.Kind = runtime.KindTensor
		tt := tp.GetTensorType()
		vi.DType, _ = tensorpb.DType(tt.GetElemType())
		if tt.Shape != nil {
			vi.Shape = make([]runtime.Dim, 0, len(tt.Shape.Dim))
			for _, d := range tt.Shape.Dim {
				dim := runtime.Dim{Value: -1}
				switch v := d.GetValue().(type) {
				case *onnxpb.TensorShapeProto_Dimension_DimValue:
					if v.DimValue < 0 {
						return vi, fmt.Errorf("%w: value %q declares negative dim %d", ErrInvalidGraph, vi.Name, v.DimValue)
					}
					dim.Value = v.DimValue
				case *onnxpb.TensorShapeProto_Dimension_DimParam:
					dim.Param = v.DimParam
				}
				vi.Shape = append(vi.Shape, dim)
			}
		}
	case tp.GetSequenceType() != nil:
		vi.Kind = runtime.KindSequence
		if et := tp.GetSequenceType().GetElemType().GetTensorType(); et != nil {
			vi.DType, _ = tensorpb.DType(et.GetElemType())
		}
	case tp.GetOptionalType() != nil:
		vi.Kind = runtime.KindOptional
	case tp.GetMapType() != nil:
		vi.Kind = runtime.KindMap
	case tp.GetSparseTensorType() != nil:
		vi.Kind = runtime.KindSparseTensor
	default:
		vi.Kind = runtime.KindUnknown
	}
	return vi, nil
}

// tensor decodes a TensorProto, reading external data when needed.
func (d *decoder) tensor(tp *onnxpb.TensorProto) (*tensor.Tensor, error) {
	if tp.GetDataLocation() != onnxpb.TensorProto_EXTERNAL {
		return tensorpb.Decode(tp, d.loader.maxTensor())
	}
	raw, err := d.external(tp)
	if err != nil {
		return nil, err
	}
	return tensorpb.DecodeWithRaw(tp, raw, true, d.loader.maxTensor())
}

// external reads a tensor's bytes from its external file, confined to the
// model's directory.
func (d *decoder) external(tp *onnxpb.TensorProto) ([]byte, error) {
	dt, err := tensorpb.DType(tp.GetDataType())
	if err != nil {
		return nil, err
	}
	if dt == tensor.String {
		return nil, fmt.Errorf("%w: string tensor %q cannot be stored externally", ErrExternalData, tp.GetName())
	}
	_, n, err := tensorpb.Shape(tp, dt, d.loader.maxTensor())
	if err != nil {
		return nil, err
	}
	want := int64(n) * int64(dt.Size())
	var loc string
	offset, length := int64(0), int64(-1)
	for _, kv := range tp.ExternalData {
		switch kv.GetKey() {
		case "location":
			loc = kv.GetValue()
		case "offset", "length":
			v, err := strconv.ParseInt(kv.GetValue(), 10, 64)
			if err != nil || v < 0 {
				return nil, fmt.Errorf("%w: tensor %q has %s %q", ErrExternalData, tp.GetName(), kv.GetKey(), kv.GetValue())
			}
			if kv.GetKey() == "offset" {
				offset = v
			} else {
				length = v
			}
		}
	}
	clean, err := safeLocation(loc)
	if err != nil {
		return nil, fmt.Errorf("tensor %q: %w", tp.GetName(), err)
	}
	if length >= 0 && length != want {
		return nil, fmt.Errorf("%w: tensor %q declares length %d, its shape needs %d bytes", ErrExternalData, tp.GetName(), length, want)
	}
	if !d.dirOpened {
		d.dirOpened = true
		d.fsys, d.dir, d.dirErr = d.openDir()
	}
	if d.dirErr != nil {
		return nil, fmt.Errorf("tensor %q: %w", tp.GetName(), d.dirErr)
	}
	name := path.Join(d.dir, clean)
	f, err := d.fsys.Open(name)
	if err != nil {
		return nil, fmt.Errorf("%w: tensor %q: %v", ErrExternalData, tp.GetName(), err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("%w: tensor %q: %v", ErrExternalData, tp.GetName(), err)
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%w: tensor %q: %s is not a regular file", ErrExternalData, tp.GetName(), loc)
	}
	if offset > st.Size() || want > st.Size()-offset {
		return nil, fmt.Errorf("%w: tensor %q: %d bytes at offset %d lie outside %s (%d bytes)", ErrExternalData, tp.GetName(), want, offset, loc, st.Size())
	}
	buf := make([]byte, want)
	if ra, ok := f.(io.ReaderAt); ok {
		_, err = ra.ReadAt(buf, offset)
	} else {
		if _, err = io.CopyN(io.Discard, f, offset); err == nil {
			_, err = io.ReadFull(f, buf)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("%w: tensor %q: reading %s: %v", ErrExternalData, tp.GetName(), loc, err)
	}
	return buf, nil
}

// sparse converts a SparseTensorProto to a dense tensor.
func (d *decoder) sparse(sp *onnxpb.SparseTensorProto) (*tensor.Tensor, error) {
	if sp.Values == nil || sp.Indices == nil {
		return nil, fmt.Errorf("%w: sparse tensor without values or indices", ErrInvalidGraph)
	}
	vals, err := d.tensor(sp.Values)
	if err != nil {
		return nil, err
	}
	idx, err := d.tensor(sp.Indices)
	if err != nil {
		return nil, err
	}
	shape := make([]int, len(sp.Dims))
	for i, v := range sp.Dims {
		if v < 0 {
			return nil, fmt.Errorf("%w: sparse tensor dim %d", ErrInvalidGraph, v)
		}
		shape[i] = int(v)
	}
	n := tensor.NumElements(shape)
	// Compare by division: n*size can overflow int64 for a hostile shape.
	if n < 0 || int64(n) > d.loader.maxTensor()/int64(max(vals.DType().Size(), 1)) {
		return nil, fmt.Errorf("%w: sparse tensor of shape %v", ErrTooLarge, shape)
	}
	out, err := tensor.Zeros(vals.DType(), shape...)
	if err != nil {
		return nil, err
	}
	ix, err := tensor.Int64s(idx)
	if err != nil {
		return nil, err
	}
	nnz := vals.Len()
	rank := len(shape)
	linear := make([]int, nnz)
	switch {
	case idx.Rank() == 1 && len(ix) == nnz:
		for i, v := range ix {
			linear[i] = int(v)
		}
	case idx.Rank() == 2 && idx.Dim(0) == nnz && idx.Dim(1) == rank:
		st := tensor.Strides(shape)
		for i := 0; i < nnz; i++ {
			off := 0
			for j := 0; j < rank; j++ {
				v := ix[i*rank+j]
				if v < 0 || v >= int64(shape[j]) {
					return nil, fmt.Errorf("%w: sparse index %d out of range", ErrInvalidGraph, v)
				}
				off += int(v) * st[j]
			}
			linear[i] = off
		}
	default:
		return nil, fmt.Errorf("%w: sparse indices of shape %v for %d values", ErrInvalidGraph, idx.Shape(), nnz)
	}
	if err := scatterLinear(out, vals, linear); err != nil {
		return nil, err
	}
	return out, nil
}

// scatterLinear writes vals[i] at flat offset linear[i] of out (of the
// same dtype, any dtype).
func scatterLinear(out, vals *tensor.Tensor, linear []int) error {
	n := out.Len()
	for _, off := range linear {
		if off < 0 || off >= n {
			return fmt.Errorf("%w: sparse index %d out of range", ErrInvalidGraph, off)
		}
	}
	o, v := reflect.ValueOf(out.Raw()), reflect.ValueOf(vals.Raw())
	for i, off := range linear {
		o.Index(off).Set(v.Index(i))
	}
	return nil
}

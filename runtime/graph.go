package runtime

import (
	"fmt"

	"github.com/optnet-go/optnet/runtime/tensor"
)

// Graph is a decoded ONNX graph: what the importer produces and Compile
// consumes. It is plain data; Compile never modifies it.
type Graph struct {
	Name string
	// Nodes in file order (Compile sorts them topologically).
	Nodes []*Node
	// Inputs are the graph's declared inputs. An input that also has an
	// initializer is optional: the initializer is its default.
	Inputs  []ValueInfo
	Outputs []ValueInfo
	// ValueInfo holds declared types of intermediate values.
	ValueInfo []ValueInfo
	// Initializers are the graph's constant tensors by name.
	Initializers map[string]*tensor.Tensor
	// Opsets maps an operator domain ("" is the default ONNX domain) to the
	// opset version the model imports. Subgraphs share their parent's.
	Opsets map[string]int
}

// Node is one operator application.
type Node struct {
	Name   string
	OpType string
	// Domain is the operator set domain; "" and "ai.onnx" both mean the
	// default ONNX domain.
	Domain string
	// Inputs and Outputs are value names; "" marks an omitted optional one.
	Inputs  []string
	Outputs []string
	Attrs   []Attribute
}

// String names the node for messages: its name if it has one, else its op
// type and first output.
func (n *Node) String() string {
	if n.Name != "" {
		return fmt.Sprintf("%q (%s)", n.Name, n.OpType)
	}
	out := ""
	if len(n.Outputs) > 0 {
		out = n.Outputs[0]
	}
	return fmt.Sprintf("%s -> %q", n.OpType, out)
}

// Attr returns the attribute with the given name.
func (n *Node) Attr(name string) (*Attribute, bool) {
	for i := range n.Attrs {
		if n.Attrs[i].Name == name {
			return &n.Attrs[i], true
		}
	}
	return nil, false
}

// AttrKind is the type of an attribute value.
type AttrKind uint8

// Attribute kinds, matching ONNX AttributeProto types.
const (
	AttrUndefined AttrKind = iota
	AttrFloat
	AttrInt
	AttrString
	AttrTensor
	AttrGraph
	AttrFloats
	AttrInts
	AttrStrings
	AttrTensors
	AttrGraphs
	AttrSparseTensor
	AttrTypeProto
)

var attrKindNames = [...]string{"undefined", "float", "int", "string", "tensor", "graph",
	"floats", "ints", "strings", "tensors", "graphs", "sparse_tensor", "type_proto"}

func (k AttrKind) String() string {
	if int(k) < len(attrKindNames) {
		return attrKindNames[k]
	}
	return fmt.Sprintf("attrkind(%d)", uint8(k))
}

// Attribute is a node attribute; the field matching Kind holds the value.
type Attribute struct {
	Name    string
	Kind    AttrKind
	Float   float32
	Int     int64
	String  string
	Tensor  *tensor.Tensor
	Graph   *Graph
	Floats  []float32
	Ints    []int64
	Strings []string
	Tensors []*tensor.Tensor
	Graphs  []*Graph
}

// ValueKind says what sort of value a ValueInfo describes.
type ValueKind uint8

// Value kinds from ONNX TypeProto.
const (
	KindTensor ValueKind = iota
	KindSequence
	KindOptional
	KindMap
	KindSparseTensor
	KindUnknown
)

// ValueInfo is a declared name and type.
type ValueInfo struct {
	Name string
	Kind ValueKind
	// DType is the element type (for sequences and optionals, of the
	// contained tensors); Undefined when not declared.
	DType tensor.DType
	// Shape is nil when the rank is not declared.
	Shape []Dim
}

// Dim is one declared dimension: a fixed size, a symbolic name, or unknown.
type Dim struct {
	Value int64  // >= 0 when fixed
	Param string // symbolic name, e.g. "batch"
}

// Fixed reports whether the dim has a concrete size.
func (d Dim) Fixed() bool { return d.Param == "" && d.Value >= 0 }

func (d Dim) String() string {
	switch {
	case d.Param != "":
		return d.Param
	case d.Value >= 0:
		return fmt.Sprint(d.Value)
	}
	return "?"
}

// ShapeString formats a declared shape, e.g. "(batch, 3, 224, 224)".
func (v ValueInfo) ShapeString() string {
	if v.Shape == nil {
		return "(?)"
	}
	s := "("
	for i, d := range v.Shape {
		if i > 0 {
			s += ", "
		}
		s += d.String()
	}
	return s + ")"
}

// normDomain maps the aliases of the default domain to "".
func normDomain(d string) string {
	if d == "ai.onnx" {
		return ""
	}
	return d
}

// DomainName returns a printable domain name ("ai.onnx" for the default).
func DomainName(d string) string {
	if d = normDomain(d); d == "" {
		return "ai.onnx"
	}
	return d
}

// Package onnxbuild builds small ONNX models in Go, for tests, fuzz
// targets and examples:
//
//	m := onnxbuild.New(17)
//	m.G.Input("x", tensor.Float32, "batch", 3).
//		Output("y", tensor.Float32, "batch", 3).
//		Node("Relu", []string{"x"}, []string{"y"})
//	b := m.Bytes()
//
// It writes protobuf messages only; it checks nothing, so tests can build
// broken models on purpose.
package onnxbuild

import (
	"fmt"

	"google.golang.org/protobuf/proto"

	"github.com/optnet-go/optnet/onnxpb"
	"github.com/optnet-go/optnet/runtime/tensor"
	"github.com/optnet-go/optnet/tensorpb"
)

// Model is a ModelProto under construction; G is its main graph.
type Model struct {
	P *onnxpb.ModelProto
	G *Graph
}

// New returns a model at IR version 8 importing the default domain at
// the given opset version (none when opset is 0).
func New(opset int) *Model {
	g := NewGraph("main")
	m := &Model{P: &onnxpb.ModelProto{IrVersion: proto.Int64(8), Graph: g.P, ProducerName: proto.String("onnxbuild")}, G: g}
	if opset > 0 {
		m.Import("", opset)
	}
	return m
}

// Import adds an opset import.
func (m *Model) Import(domain string, version int) *Model {
	m.P.OpsetImport = append(m.P.OpsetImport, &onnxpb.OperatorSetIdProto{Domain: proto.String(domain), Version: proto.Int64(int64(version))})
	return m
}

// Function adds a model-local function.
func (m *Model) Function(f *onnxpb.FunctionProto) *Model {
	m.P.Functions = append(m.P.Functions, f)
	return m
}

// Bytes serializes the model; it panics if protobuf refuses (it never
// does for messages built here).
func (m *Model) Bytes() []byte {
	b, err := proto.Marshal(m.P)
	if err != nil {
		panic(fmt.Sprintf("onnxbuild: %v", err))
	}
	return b
}

// Graph is a GraphProto under construction.
type Graph struct{ P *onnxpb.GraphProto }

// NewGraph returns an empty graph (for subgraph attributes).
func NewGraph(name string) *Graph { return &Graph{P: &onnxpb.GraphProto{Name: proto.String(name)}} }

// Input declares a graph input.
func (g *Graph) Input(name string, dt tensor.DType, dims ...any) *Graph {
	g.P.Input = append(g.P.Input, ValueInfo(name, dt, dims...))
	return g
}

// Output declares a graph output.
func (g *Graph) Output(name string, dt tensor.DType, dims ...any) *Graph {
	g.P.Output = append(g.P.Output, ValueInfo(name, dt, dims...))
	return g
}

// Init adds an initializer.
func (g *Graph) Init(name string, t *tensor.Tensor) *Graph {
	g.P.Initializer = append(g.P.Initializer, Tensor(name, t))
	return g
}

// Node appends a node of the default domain and returns it (set Domain
// or Name on it as needed).
func (g *Graph) Node(op string, in, out []string, attrs ...*onnxpb.AttributeProto) *onnxpb.NodeProto {
	n := &onnxpb.NodeProto{OpType: proto.String(op), Input: in, Output: out, Attribute: attrs}
	g.P.Node = append(g.P.Node, n)
	return n
}

// ValueInfo declares a tensor value. Each dim is an int (fixed), a string
// (symbolic) or nil (unknown). With no dims the value is a scalar.
func ValueInfo(name string, dt tensor.DType, dims ...any) *onnxpb.ValueInfoProto {
	shape := &onnxpb.TensorShapeProto{}
	for _, d := range dims {
		dim := &onnxpb.TensorShapeProto_Dimension{}
		switch v := d.(type) {
		case int:
			dim.Value = &onnxpb.TensorShapeProto_Dimension_DimValue{DimValue: int64(v)}
		case int64:
			dim.Value = &onnxpb.TensorShapeProto_Dimension_DimValue{DimValue: v}
		case string:
			dim.Value = &onnxpb.TensorShapeProto_Dimension_DimParam{DimParam: v}
		case nil:
		default:
			panic(fmt.Sprintf("onnxbuild: dim %v of type %T", d, d))
		}
		shape.Dim = append(shape.Dim, dim)
	}
	return &onnxpb.ValueInfoProto{
		Name: proto.String(name),
		Type: &onnxpb.TypeProto{Value: &onnxpb.TypeProto_TensorType{TensorType: &onnxpb.TypeProto_Tensor{
			ElemType: proto.Int32(tensorpb.ProtoDType(dt)),
			Shape:    shape,
		}}},
	}
}

// Tensor encodes t as a named TensorProto (raw data).
func Tensor(name string, t *tensor.Tensor) *onnxpb.TensorProto { return tensorpb.Encode(name, t) }

// Int is an int attribute.
func Int(name string, v int64) *onnxpb.AttributeProto {
	return &onnxpb.AttributeProto{Name: proto.String(name), Type: onnxpb.AttributeProto_INT.Enum(), I: proto.Int64(v)}
}

// Float is a float attribute.
func Float(name string, v float32) *onnxpb.AttributeProto {
	return &onnxpb.AttributeProto{Name: proto.String(name), Type: onnxpb.AttributeProto_FLOAT.Enum(), F: proto.Float32(v)}
}

// String is a string attribute.
func String(name, v string) *onnxpb.AttributeProto {
	return &onnxpb.AttributeProto{Name: proto.String(name), Type: onnxpb.AttributeProto_STRING.Enum(), S: []byte(v)}
}

// Ints is an ints attribute.
func Ints(name string, v ...int64) *onnxpb.AttributeProto {
	return &onnxpb.AttributeProto{Name: proto.String(name), Type: onnxpb.AttributeProto_INTS.Enum(), Ints: v}
}

// Floats is a floats attribute.
func Floats(name string, v ...float32) *onnxpb.AttributeProto {
	return &onnxpb.AttributeProto{Name: proto.String(name), Type: onnxpb.AttributeProto_FLOATS.Enum(), Floats: v}
}

// TensorAttr is a tensor attribute.
func TensorAttr(name string, t *tensor.Tensor) *onnxpb.AttributeProto {
	return &onnxpb.AttributeProto{Name: proto.String(name), Type: onnxpb.AttributeProto_TENSOR.Enum(), T: Tensor("", t)}
}

// GraphAttr is a graph attribute.
func GraphAttr(name string, g *Graph) *onnxpb.AttributeProto {
	return &onnxpb.AttributeProto{Name: proto.String(name), Type: onnxpb.AttributeProto_GRAPH.Enum(), G: g.P}
}

// RefAttr is an attribute of a function body node that refers to the
// calling node's attribute ref.
func RefAttr(name, ref string, typ onnxpb.AttributeProto_AttributeType) *onnxpb.AttributeProto {
	return &onnxpb.AttributeProto{Name: proto.String(name), RefAttrName: proto.String(ref), Type: typ.Enum()}
}

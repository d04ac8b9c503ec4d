// Package onnxbuild constructs ONNX models in Go: inputs, initializers,
// nodes with attributes, outputs. Tests, the paper's models and tools use
// it to produce real ONNX files that any ONNX runtime can load.
//
//	b := onnxbuild.New("mlp", map[string]int64{"": 17})
//	x := b.Input("x", tensor.Float32, "batch", 4)
//	w := b.Initializer("W", weights)
//	y := b.Node("MatMul", []string{x, w}, []string{"y"})
//	b.Output("y", tensor.Float32, "batch", 2)
//	data, err := b.Bytes()
package onnxbuild

import (
	"fmt"
	"sort"

	"google.golang.org/protobuf/proto"

	"github.com/optnet-go/optnet/onnxpb"
	"github.com/optnet-go/optnet/runtime/tensor"
	"github.com/optnet-go/optnet/tensorpb"
)

// Model is a model under construction.
type Model struct {
	mp *onnxpb.ModelProto
	g  *onnxpb.GraphProto
	n  int
}

// New starts a model with the given opset imports (domain → version; ""
// is the default ONNX domain).
func New(name string, opsets map[string]int64) *Model {
	g := &onnxpb.GraphProto{Name: proto.String(name)}
	mp := &onnxpb.ModelProto{
		IrVersion:    proto.Int64(8),
		ProducerName: proto.String("optnet"),
		Graph:        g,
	}
	// Deterministic order: default domain first.
	if v, ok := opsets[""]; ok {
		mp.OpsetImport = append(mp.OpsetImport, &onnxpb.OperatorSetIdProto{Domain: proto.String(""), Version: proto.Int64(v)})
	}
	var domains []string
	for d := range opsets {
		if d != "" {
			domains = append(domains, d)
		}
	}
	sort.Strings(domains)
	for _, d := range domains {
		mp.OpsetImport = append(mp.OpsetImport, &onnxpb.OperatorSetIdProto{Domain: proto.String(d), Version: proto.Int64(opsets[d])})
	}
	return &Model{mp: mp, g: g}
}

// ValueInfo makes a tensor ValueInfoProto; dims are ints (fixed) or strings
// (symbolic).
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
		default:
			panic(fmt.Sprintf("onnxbuild: dim %v (%T) is neither int nor string", d, d))
		}
		shape.Dim = append(shape.Dim, dim)
	}
	et := tensorpb.ProtoDType(dt)
	return &onnxpb.ValueInfoProto{
		Name: proto.String(name),
		Type: &onnxpb.TypeProto{Value: &onnxpb.TypeProto_TensorType{TensorType: &onnxpb.TypeProto_Tensor{ElemType: &et, Shape: shape}}},
	}
}

// Input declares a graph input and returns its name.
func (m *Model) Input(name string, dt tensor.DType, dims ...any) string {
	m.g.Input = append(m.g.Input, ValueInfo(name, dt, dims...))
	return name
}

// Output declares a graph output.
func (m *Model) Output(name string, dt tensor.DType, dims ...any) {
	m.g.Output = append(m.g.Output, ValueInfo(name, dt, dims...))
}

// Initializer adds a constant tensor and returns its name.
func (m *Model) Initializer(name string, t *tensor.Tensor) string {
	m.g.Initializer = append(m.g.Initializer, tensorpb.Encode(name, t))
	return name
}

// Node appends a node in the default domain; outputs may be nil, in which
// case one output with a fresh name is made. It returns the first output's
// name.
func (m *Model) Node(opType string, inputs, outputs []string, attrs ...*onnxpb.AttributeProto) string {
	return m.DomainNode("", opType, inputs, outputs, attrs...)
}

// DomainNode appends a node of the given operator domain.
func (m *Model) DomainNode(domain, opType string, inputs, outputs []string, attrs ...*onnxpb.AttributeProto) string {
	m.n++
	if len(outputs) == 0 {
		outputs = []string{fmt.Sprintf("%s_%d", opType, m.n)}
	}
	n := &onnxpb.NodeProto{
		Name:      proto.String(fmt.Sprintf("%s_%d", opType, m.n)),
		OpType:    proto.String(opType),
		Input:     inputs,
		Output:    outputs,
		Attribute: attrs,
	}
	if domain != "" {
		n.Domain = proto.String(domain)
	}
	m.g.Node = append(m.g.Node, n)
	return outputs[0]
}

// Proto returns the model message (not a copy).
func (m *Model) Proto() *onnxpb.ModelProto { return m.mp }

// Graph returns the main graph message, for additions the builder lacks.
func (m *Model) Graph() *onnxpb.GraphProto { return m.g }

// Bytes serialises the model.
func (m *Model) Bytes() ([]byte, error) {
	return proto.MarshalOptions{Deterministic: true}.Marshal(m.mp)
}

// Attribute constructors.

// Int makes an int attribute.
func Int(name string, v int64) *onnxpb.AttributeProto {
	t := onnxpb.AttributeProto_INT
	return &onnxpb.AttributeProto{Name: proto.String(name), Type: &t, I: proto.Int64(v)}
}

// Float makes a float attribute.
func Float(name string, v float32) *onnxpb.AttributeProto {
	t := onnxpb.AttributeProto_FLOAT
	return &onnxpb.AttributeProto{Name: proto.String(name), Type: &t, F: proto.Float32(v)}
}

// String makes a string attribute.
func String(name, v string) *onnxpb.AttributeProto {
	t := onnxpb.AttributeProto_STRING
	return &onnxpb.AttributeProto{Name: proto.String(name), Type: &t, S: []byte(v)}
}

// Ints makes an ints attribute.
func Ints(name string, v ...int64) *onnxpb.AttributeProto {
	t := onnxpb.AttributeProto_INTS
	return &onnxpb.AttributeProto{Name: proto.String(name), Type: &t, Ints: v}
}

// Floats makes a floats attribute.
func Floats(name string, v ...float32) *onnxpb.AttributeProto {
	t := onnxpb.AttributeProto_FLOATS
	return &onnxpb.AttributeProto{Name: proto.String(name), Type: &t, Floats: v}
}

// Tensor makes a tensor attribute.
func Tensor(name string, v *tensor.Tensor) *onnxpb.AttributeProto {
	t := onnxpb.AttributeProto_TENSOR
	return &onnxpb.AttributeProto{Name: proto.String(name), Type: &t, T: tensorpb.Encode("", v)}
}

// Graph makes a graph attribute (If branches, Loop bodies).
func Graph(name string, g *onnxpb.GraphProto) *onnxpb.AttributeProto {
	t := onnxpb.AttributeProto_GRAPH
	return &onnxpb.AttributeProto{Name: proto.String(name), Type: &t, G: g}
}

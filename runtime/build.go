package runtime

import (
	"fmt"

	"github.com/optnet-go/optnet/runtime/tensor"
)

// BuildContext is what an Op's Build sees of the node being compiled: the
// node, the opset version it is bound to, facts about its inputs, and
// typed attribute accessors. The accessors record the first problem (a
// missing required attribute, a wrong attribute type) and Compile reports
// it, so Build functions read attributes without checking each call:
//
//	axis := b.Int("axis", 1)
//	perm := b.Ints("perm", nil)
//	return &transpose{perm: perm}, b.Err()
type BuildContext struct {
	Node    *Node
	Version int
	// Inputs has one fact per node input; omitted optional inputs are
	// marked Absent. Constant inputs (initializers, folded values) carry
	// their Value.
	Inputs []Fact

	c       *compiler
	sc      *scope
	err     error
	subs    []*Subgraph
	device  Device
	implied []string // the node's implicit inputs (subgraph captures)
}

// NumInputs returns the number of inputs the node lists (including omitted
// optional ones).
func (b *BuildContext) NumInputs() int { return len(b.Node.Inputs) }

// HasInput reports whether input i is given (listed with a non-empty name).
func (b *BuildContext) HasInput(i int) bool {
	return i < len(b.Node.Inputs) && b.Node.Inputs[i] != ""
}

// NumOutputs returns the number of outputs the node lists.
func (b *BuildContext) NumOutputs() int { return len(b.Node.Outputs) }

// HasOutput reports whether output i is requested (listed, non-empty).
func (b *BuildContext) HasOutput(i int) bool {
	return i < len(b.Node.Outputs) && b.Node.Outputs[i] != ""
}

// Const returns the compile-time value of input i, or nil if it is not a
// constant.
func (b *BuildContext) Const(i int) *tensor.Tensor {
	if i < len(b.Inputs) {
		return b.Inputs[i].Value
	}
	return nil
}

// Device returns the execution device the model is compiled for.
func (b *BuildContext) Device() Device { return b.device }

// Err returns the first problem the accessors met.
func (b *BuildContext) Err() error { return b.err }

// Errorf records and returns an invalid-graph error about this node.
func (b *BuildContext) Errorf(format string, args ...any) error {
	err := invalidf(format, args...)
	if b.err == nil {
		b.err = err
	}
	return err
}

// HasAttr reports whether the node sets the attribute.
func (b *BuildContext) HasAttr(name string) bool {
	_, ok := b.Node.Attr(name)
	return ok
}

func (b *BuildContext) attr(name string, kind AttrKind) (*Attribute, bool) {
	a, ok := b.Node.Attr(name)
	if !ok {
		return nil, false
	}
	if a.Kind != kind {
		b.Errorf("attribute %q is %v, want %v", name, a.Kind, kind)
		return nil, false
	}
	return a, true
}

// Int returns an int attribute, or def when absent.
func (b *BuildContext) Int(name string, def int64) int64 {
	if a, ok := b.attr(name, AttrInt); ok {
		return a.Int
	}
	return def
}

// Float returns a float attribute, or def when absent.
func (b *BuildContext) Float(name string, def float32) float32 {
	if a, ok := b.attr(name, AttrFloat); ok {
		return a.Float
	}
	return def
}

// String returns a string attribute, or def when absent.
func (b *BuildContext) String(name string, def string) string {
	if a, ok := b.attr(name, AttrString); ok {
		return a.String
	}
	return def
}

// Ints returns an ints attribute, or def when absent.
func (b *BuildContext) Ints(name string, def []int64) []int64 {
	if a, ok := b.attr(name, AttrInts); ok {
		return a.Ints
	}
	return def
}

// Floats returns a floats attribute, or def when absent.
func (b *BuildContext) Floats(name string, def []float32) []float32 {
	if a, ok := b.attr(name, AttrFloats); ok {
		return a.Floats
	}
	return def
}

// Strings returns a strings attribute, or def when absent.
func (b *BuildContext) Strings(name string, def []string) []string {
	if a, ok := b.attr(name, AttrStrings); ok {
		return a.Strings
	}
	return def
}

// Tensor returns a tensor attribute, or nil when absent.
func (b *BuildContext) Tensor(name string) *tensor.Tensor {
	if a, ok := b.attr(name, AttrTensor); ok {
		return a.Tensor
	}
	return nil
}

// RequireInt returns an int attribute the op cannot do without.
func (b *BuildContext) RequireInt(name string) int64 {
	if !b.HasAttr(name) {
		b.Errorf("required attribute %q is missing", name)
		return 0
	}
	return b.Int(name, 0)
}

// Subgraph compiles the graph attribute name (If's branches, Loop's and
// Scan's bodies) in the scope of this node, so its nodes may read values of
// the enclosing graphs. The kernel keeps the result and calls its Run.
func (b *BuildContext) Subgraph(name string) *Subgraph {
	a, ok := b.attr(name, AttrGraph)
	if !ok {
		if !b.HasAttr(name) {
			b.Errorf("required graph attribute %q is missing", name)
		}
		return nil
	}
	sub, err := b.c.compileSubgraph(a.Graph, b.sc, b.Node)
	if err != nil {
		if b.err == nil {
			b.err = fmt.Errorf("subgraph %q: %w", name, err)
		}
		return nil
	}
	b.subs = append(b.subs, sub)
	return sub
}

// Subgraph is a compiled graph attribute, run by its node's kernel.
type Subgraph struct {
	plan *plan
	// captureIdx[i] is the index, in the node's full input slice, of the
	// value bound to the plan's i-th capture.
	captureIdx []int
}

// Inputs returns the subgraph's declared formal inputs.
func (s *Subgraph) Inputs() []ValueInfo { return s.plan.graph.Inputs }

// Outputs returns the subgraph's declared outputs.
func (s *Subgraph) Outputs() []ValueInfo { return s.plan.graph.Outputs }

// Run executes the subgraph with its formal inputs bound positionally to
// formal, and its captured outer values taken from nodeIn, the slice the
// node's kernel received. It returns the subgraph's outputs in order.
func (s *Subgraph) Run(rc *RunContext, formal []*tensor.Tensor, nodeIn []*tensor.Tensor) ([]*tensor.Tensor, error) {
	p := s.plan
	if len(formal) != len(p.inputs) {
		return nil, fmt.Errorf("%w: subgraph takes %d inputs, got %d", ErrInvalidGraph, len(p.inputs), len(formal))
	}
	vals := p.newValues()
	for i, in := range p.inputs {
		vals[in.slot] = formal[i]
	}
	for i, slot := range p.captures {
		vals[slot] = nodeIn[s.captureIdx[i]]
	}
	if err := p.exec(rc, vals); err != nil {
		return nil, err
	}
	out := make([]*tensor.Tensor, len(p.outputs))
	for i, o := range p.outputs {
		out[i] = vals[o.slot]
	}
	return out, nil
}

package runtime

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/optnet-go/optnet/runtime/tensor"
)

// Sentinel errors; every error the runtime returns wraps one of these (or a
// context error), so callers can branch with errors.Is.
var (
	// ErrInvalidGraph: the graph breaks a structural rule (undefined
	// input, duplicate output, cycle, bad attribute, wrong arity).
	ErrInvalidGraph = errors.New("invalid graph")
	// ErrUnsupportedOp: the graph uses operators the registry lacks.
	ErrUnsupportedOp = errors.New("unsupported operator")
	// ErrInput: a Run input is missing, unknown, or of the wrong type/shape.
	ErrInput = errors.New("invalid input")
	// ErrTooLarge: a tensor would exceed the configured size limit.
	ErrTooLarge = errors.New("size limit exceeded")
	// ErrInternal: an op panicked; this is a bug in the op, reported
	// instead of crashing the host.
	ErrInternal = errors.New("internal error")
	// ErrNotDifferentiable: training needs a gradient an op cannot give.
	ErrNotDifferentiable = errors.New("not differentiable")
)

// NodeError reports a failure of one node, naming it, its op type and the
// shapes it was given.
type NodeError struct {
	Node   string // node name (may be empty)
	OpType string
	Domain string
	// Inputs describes the node's inputs, e.g. "float32(1, 3, 224, 224)".
	Inputs []string
	Err    error
}

func (e *NodeError) Error() string {
	var b strings.Builder
	b.WriteString("node ")
	if e.Node != "" {
		fmt.Fprintf(&b, "%q ", e.Node)
	}
	op := e.OpType
	if e.Domain != "" {
		op = e.Domain + "::" + op
	}
	fmt.Fprintf(&b, "(%s)", op)
	if len(e.Inputs) > 0 {
		fmt.Fprintf(&b, " with inputs [%s]", strings.Join(e.Inputs, ", "))
	}
	b.WriteString(": ")
	b.WriteString(e.Err.Error())
	return b.String()
}

func (e *NodeError) Unwrap() error { return e.Err }

func describeInputs(in []*tensor.Tensor) []string {
	s := make([]string, len(in))
	for i, t := range in {
		if t == nil {
			s[i] = "absent"
			continue
		}
		s[i] = t.DType().String() + tensor.ShapeString(t.Shape())
	}
	return s
}

func nodeErr(n *Node, in []*tensor.Tensor, err error) error {
	var ne *NodeError
	if errors.As(err, &ne) && ne.Node == n.Name && ne.OpType == n.OpType {
		return err
	}
	return &NodeError{Node: n.Name, OpType: n.OpType, Domain: n.Domain, Inputs: describeInputs(in), Err: err}
}

// UnsupportedOp names one operator (at one opset version) the registry
// does not implement, and the nodes that use it.
type UnsupportedOp struct {
	Domain  string
	OpType  string
	Version int
	Nodes   []string
}

func (u UnsupportedOp) String() string {
	return fmt.Sprintf("%s::%s (opset %d)", DomainName(u.Domain), u.OpType, u.Version)
}

// UnsupportedError lists every unsupported operator of a model at once.
type UnsupportedError struct {
	Ops []UnsupportedOp
}

func (e *UnsupportedError) Error() string {
	names := make([]string, len(e.Ops))
	for i, u := range e.Ops {
		names[i] = u.String()
	}
	return fmt.Sprintf("%d unsupported operator(s): %s", len(e.Ops), strings.Join(names, ", "))
}

// Is makes errors.Is(err, ErrUnsupportedOp) true.
func (e *UnsupportedError) Is(target error) bool { return target == ErrUnsupportedOp }

func sortUnsupported(ops []UnsupportedOp) {
	sort.Slice(ops, func(i, j int) bool {
		a, b := ops[i], ops[j]
		if a.Domain != b.Domain {
			return a.Domain < b.Domain
		}
		if a.OpType != b.OpType {
			return a.OpType < b.OpType
		}
		return a.Version < b.Version
	})
}

// InputError reports a bad Run input.
type InputError struct {
	Name string
	Msg  string
}

func (e *InputError) Error() string { return fmt.Sprintf("input %q: %s", e.Name, e.Msg) }

// Is makes errors.Is(err, ErrInput) true.
func (e *InputError) Is(target error) bool { return target == ErrInput }

func invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidGraph, fmt.Sprintf(format, args...))
}

package runtime

import (
	"context"
	"fmt"

	"github.com/optnet-go/optnet/runtime/tensor"
)

// NewRunContext returns a run context for calling kernels directly (tests,
// eager execution). Compiled models make their own.
func NewRunContext(ctx context.Context, opts RunOptions) *RunContext {
	rc := newRunContext(ctx, defaultMaxTensorBytes, opts.Seed)
	rc.training = opts.Training
	return rc
}

// RunNode builds the op the registry binds to node n at the given opset
// version and runs it once on in, recording what its backward rule needs.
// The inputs are shown to Build as constants. It is the eager counterpart
// of Compile+Run for a single node (nodes with subgraphs are not
// supported), used by op tests and gradient checks.
func RunNode(ctx context.Context, reg *Registry, n *Node, version int, in []*tensor.Tensor, opts RunOptions) (*Forward, Kernel, error) {
	op, ok := reg.Lookup(n.Domain, n.OpType, version)
	if !ok {
		return nil, nil, &UnsupportedError{Ops: []UnsupportedOp{{Domain: normDomain(n.Domain), OpType: n.OpType, Version: version, Nodes: []string{n.String()}}}}
	}
	if err := checkArity(n, op); err != nil {
		return nil, nil, err
	}
	if len(in) != len(n.Inputs) {
		return nil, nil, fmt.Errorf("%w: node %v lists %d inputs, %d given", ErrInvalidGraph, n, len(n.Inputs), len(in))
	}
	facts := make([]Fact, len(in))
	for i, t := range in {
		if t == nil || n.Inputs[i] == "" {
			facts[i] = Fact{Absent: true}
			continue
		}
		facts[i] = FactOf(t)
	}
	b := &BuildContext{Node: n, Version: version, Inputs: facts}
	k, err := safeBuild(op, b)
	if err == nil {
		err = b.err
	}
	if err == nil && k == nil {
		err = fmt.Errorf("%w: Build returned no kernel", ErrInternal)
	}
	if err != nil {
		return nil, nil, &NodeError{Node: n.Name, OpType: n.OpType, Domain: n.Domain, Err: err}
	}
	rc := NewRunContext(ctx, opts)
	var saved any
	rc.saved = &saved
	st := &step{node: n, op: op, kernel: k}
	out, err := runKernel(rc, st, in)
	if err != nil {
		return nil, k, nodeErr(n, in, err)
	}
	return &Forward{Inputs: in, Outputs: out, Saved: saved}, k, nil
}

// BackwardNode calls k's backward rule with the gradients of the outputs,
// turning a panic into an error. needGrad selects the inputs that want a
// gradient (nil: every input).
func BackwardNode(ctx context.Context, k Kernel, f *Forward, gradOut []*tensor.Tensor, needGrad []bool, opts RunOptions) (grads []*tensor.Tensor, err error) {
	d, ok := k.(Differentiable)
	if !ok {
		return nil, fmt.Errorf("%w: kernel %T has no backward rule", ErrNotDifferentiable, k)
	}
	if needGrad == nil {
		needGrad = make([]bool, len(f.Inputs))
		for i := range needGrad {
			needGrad[i] = f.Inputs[i] != nil
		}
	}
	f2 := *f
	f2.NeedGrad = needGrad
	rc := NewRunContext(ctx, opts)
	defer func() {
		if r := recover(); r != nil {
			grads, err = nil, panicError(r)
		}
	}()
	grads, err = d.Backward(rc, &f2, gradOut)
	if err != nil {
		return nil, err
	}
	if len(grads) != len(f.Inputs) {
		return nil, fmt.Errorf("%w: backward of %T returned %d gradients for %d inputs", ErrInternal, k, len(grads), len(f.Inputs))
	}
	for i, g := range grads {
		if g != nil && f.Inputs[i] != nil && !tensor.SameShape(g.Shape(), f.Inputs[i].Shape()) {
			return nil, fmt.Errorf("%w: backward of %T: gradient %d has shape %v, input has %v", ErrInternal, k, i, g.Shape(), f.Inputs[i].Shape())
		}
	}
	return grads, nil
}

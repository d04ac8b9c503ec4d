package runtime

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/optnet-go/optnet/runtime/tensor"
)

// RunOptions adjust one run.
type RunOptions struct {
	// Training runs ops in training mode (Dropout drops, BatchNorm uses
	// batch statistics).
	Training bool
	// Seed seeds the run's random source.
	Seed uint64
	// StepDone, when set, is called after each step of the top-level
	// graph with the step's op type and node name (fused steps join theirs
	// with "+") and its wall time: a per-op profile.
	StepDone func(opType, node string, elapsed time.Duration)
}

// Run executes the model on the named inputs and returns every graph
// output by name. It is safe to call from many goroutines at once. It stops
// between nodes when ctx is done, returning ctx.Err(). A failing node gives
// a *NodeError naming it; a panicking op gives an error wrapping
// ErrInternal instead of crashing the caller.
func (m *Model) Run(ctx context.Context, inputs map[string]*tensor.Tensor) (map[string]*tensor.Tensor, error) {
	return m.RunWith(ctx, inputs, RunOptions{})
}

// RunWith is Run with options.
func (m *Model) RunWith(ctx context.Context, inputs map[string]*tensor.Tensor, opts RunOptions) (map[string]*tensor.Tensor, error) {
	p := m.fast
	if opts.Training {
		p = m.plan
	}
	vals, err := p.bindInputs(inputs)
	if err != nil {
		return nil, err
	}
	rc := newRunContext(ctx, p.limit, opts.Seed)
	rc.training = opts.Training
	rc.stepDone = opts.StepDone
	if !opts.Training {
		rc.arena = &arena{pool: m.buffers, plan: p}
	}
	if err := p.exec(rc, vals); err != nil {
		return nil, err
	}
	out := make(map[string]*tensor.Tensor, len(p.outputs))
	for _, o := range p.outputs {
		out[o.info.Name] = vals[o.slot]
	}
	return out, nil
}

// bindInputs checks the caller's inputs against the declarations and puts
// them (and defaults) into a fresh value table.
func (p *plan) bindInputs(inputs map[string]*tensor.Tensor) ([]*tensor.Tensor, error) {
	vals := p.newValues()
	known := make(map[string]bool, len(p.inputs))
	for _, in := range p.inputs {
		known[in.info.Name] = true
		t, given := inputs[in.info.Name]
		if !given || t == nil {
			if in.def != nil {
				vals[in.slot] = in.def
				continue
			}
			if given {
				return nil, &InputError{Name: in.info.Name, Msg: "is nil"}
			}
			return nil, &InputError{Name: in.info.Name, Msg: "is required but was not given"}
		}
		if err := checkInput(in.info, t); err != nil {
			return nil, err
		}
		vals[in.slot] = t
	}
	var unknown []string
	for name := range inputs {
		if !known[name] {
			unknown = append(unknown, name)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		names := make([]string, 0, len(p.inputs))
		for _, in := range p.inputs {
			names = append(names, in.info.Name)
		}
		return nil, &InputError{Name: strings.Join(unknown, ", "),
			Msg: fmt.Sprintf("is not an input of the model (inputs: %s)", strings.Join(names, ", "))}
	}
	return vals, nil
}

func checkInput(vi ValueInfo, t *tensor.Tensor) error {
	if vi.Kind != KindTensor {
		return nil
	}
	if vi.DType != tensor.Undefined && t.DType() != vi.DType {
		return &InputError{Name: vi.Name, Msg: fmt.Sprintf("has dtype %v, the model declares %v", t.DType(), vi.DType)}
	}
	if vi.Shape == nil {
		return nil
	}
	shape := t.Shape()
	if len(shape) != len(vi.Shape) {
		return &InputError{Name: vi.Name, Msg: fmt.Sprintf("has shape %s, the model declares %s", tensor.ShapeString(shape), vi.ShapeString())}
	}
	for i, d := range vi.Shape {
		if d.Fixed() && int64(shape[i]) != d.Value {
			return &InputError{Name: vi.Name, Msg: fmt.Sprintf("has shape %s, the model declares %s", tensor.ShapeString(shape), vi.ShapeString())}
		}
	}
	return nil
}

// exec runs the plan's steps over vals. When p is the plan of the run's
// arena, values are counted against the recycled buffers they use, and a
// buffer goes back to the pool when its last value is released.
func (p *plan) exec(rc *RunContext, vals []*tensor.Tensor) error {
	ar := rc.arena
	if ar != nil && ar.plan != p {
		ar = nil // a subgraph: its values are not tracked
	}
	// Only the steps of the arena's plan get recycled storage: a buffer
	// handed to a subgraph's step could never come back, and the arena
	// would keep it alive until the run ends.
	prevActive := rc.bufActive
	rc.bufActive = ar != nil
	defer func() { rc.bufActive = prevActive }()
	done := rc.stepDone
	rc.stepDone = nil // not for subgraphs
	defer func() { rc.stepDone = done }()
	for i := range p.steps {
		if err := rc.ctx.Err(); err != nil {
			return err
		}
		st := &p.steps[i]
		in := make([]*tensor.Tensor, len(st.in))
		for j, s := range st.in {
			if s >= 0 {
				in[j] = vals[s]
			}
		}
		var t0 time.Time
		if done != nil {
			t0 = time.Now()
		}
		out, err := runKernel(rc, st, in)
		if err != nil {
			return nodeErr(st.node, in, err)
		}
		if done != nil {
			done(st.node.OpType, st.node.Name, time.Since(t0))
		}
		for j, s := range st.out {
			if s >= 0 {
				vals[s] = out[j]
				if ar != nil {
					ar.hold(out[j])
				}
			}
		}
		for _, s := range st.free {
			if ar != nil {
				ar.release(vals[s])
			}
			vals[s] = nil
		}
	}
	return nil
}

// runKernel calls the step's kernel, turning a panic into an error and
// checking that every requested output was produced.
func runKernel(rc *RunContext, st *step, in []*tensor.Tensor) (out []*tensor.Tensor, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, panicError(r)
		}
	}()
	out, err = st.kernel.Run(rc, in)
	if err != nil {
		return nil, err
	}
	for j, name := range st.node.Outputs {
		if name == "" {
			continue
		}
		if j >= len(out) || out[j] == nil {
			return nil, fmt.Errorf("%w: output %d (%q) was not produced", ErrInternal, j, name)
		}
	}
	return out, nil
}

// Inputs returns the model's inputs: the graph's declared inputs, then
// variables. Inputs with a default (an initializer) are optional.
func (m *Model) Inputs() []ValueInfo {
	out := make([]ValueInfo, len(m.plan.inputs))
	for i, in := range m.plan.inputs {
		out[i] = in.info
	}
	return out
}

// Optional reports whether the named input has a default value.
func (m *Model) Optional(name string) bool {
	for _, in := range m.plan.inputs {
		if in.info.Name == name {
			return in.def != nil
		}
	}
	return false
}

// Outputs returns the graph's declared outputs, with their inferred dtype
// and shape filled in where the declaration lacks them.
func (m *Model) Outputs() []ValueInfo {
	out := make([]ValueInfo, len(m.plan.outputs))
	for i, o := range m.plan.outputs {
		vi := o.info
		f := m.plan.facts[o.slot]
		if vi.DType == tensor.Undefined {
			vi.DType = f.DType
		}
		if vi.Shape == nil && f.HasShape {
			vi.Shape = make([]Dim, len(f.Shape))
			for j, d := range f.Shape {
				vi.Shape[j] = Dim{Value: int64(d)}
			}
		}
		out[i] = vi
	}
	return out
}

// Graph returns the graph the model was compiled from.
func (m *Model) Graph() *Graph { return m.plan.graph }

// NumSteps returns how many kernels an inference run executes (after
// folding and fusion).
func (m *Model) NumSteps() int { return len(m.fast.steps) }

// Fact returns what compile time inferred about a value of the top-level
// graph.
func (m *Model) Fact(name string) (Fact, bool) {
	for i, n := range m.plan.names {
		if n == name {
			return m.plan.facts[i], true
		}
	}
	return Fact{}, false
}

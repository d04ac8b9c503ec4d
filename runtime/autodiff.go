package runtime

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/optnet-go/optnet/runtime/tensor"
)

// GradPlan is a model prepared for reverse-mode differentiation of some
// outputs with respect to some inputs or variables. It is immutable and
// safe for concurrent use; each Forward returns its own Tape.
type GradPlan struct {
	m      *Model
	wrt    []string
	wrtIdx []int // slot of each wrt name
	losses []int // slots of the differentiated outputs
	// active[i]: step i lies on a path from a wrt value to an output, so
	// its forward is recorded and its backward rule runs.
	active []bool
	// needGrad[i][j]: input j of step i needs a gradient.
	needGrad [][]bool
	// varName maps the slots of the model's inputs and variables to their
	// names (for state updates).
	varName map[int]string
}

// StateUpdater is implemented by kernels that, in a training run, produce
// new values for some of their inputs: BatchNormalization's running
// statistics. The trainer stores them back into the variables.
type StateUpdater interface {
	// UpdatedInputs returns replacement values keyed by input index, from a
	// recorded training forward.
	UpdatedInputs(f *Forward) map[int]*tensor.Tensor
}

// NotDifferentiableError lists every op on the path from the parameters to
// the differentiated outputs that has no backward rule.
type NotDifferentiableError struct {
	Ops []string // "OpType (node name, ...)"
}

func (e *NotDifferentiableError) Error() string {
	return fmt.Sprintf("%d op type(s) on the gradient path have no backward rule: %s", len(e.Ops), strings.Join(e.Ops, "; "))
}

// Is makes errors.Is(err, ErrNotDifferentiable) true.
func (e *NotDifferentiableError) Is(target error) bool { return target == ErrNotDifferentiable }

// Differentiate prepares gradients of the named outputs with respect to
// wrt, which may name graph inputs or variables (see Options.Variables).
// It fails with a *NotDifferentiableError naming every op on the path
// that lacks a backward rule.
func (m *Model) Differentiate(outputs, wrt []string) (*GradPlan, error) {
	p := m.plan
	slotOf := map[string]int{}
	for _, in := range p.inputs {
		slotOf[in.info.Name] = in.slot
	}
	gp := &GradPlan{m: m, wrt: append([]string(nil), wrt...), varName: map[int]string{}}
	for _, in := range p.inputs {
		gp.varName[in.slot] = in.info.Name
	}
	requires := make([]bool, p.nslots)
	for _, name := range wrt {
		s, ok := slotOf[name]
		if !ok {
			return nil, fmt.Errorf("%w: %q is not an input or variable of the model", ErrInput, name)
		}
		gp.wrtIdx = append(gp.wrtIdx, s)
		requires[s] = true
	}
	outSlot := map[string]int{}
	for _, o := range p.outputs {
		outSlot[o.info.Name] = o.slot
	}
	reaches := make([]bool, p.nslots)
	for _, name := range outputs {
		s, ok := outSlot[name]
		if !ok {
			return nil, fmt.Errorf("%w: %q is not an output of the model", ErrInput, name)
		}
		gp.losses = append(gp.losses, s)
		reaches[s] = true
	}
	// Forward: which values depend on a wrt value (floats only).
	for _, st := range p.steps {
		dep := false
		for _, s := range st.in {
			if s >= 0 && requires[s] {
				dep = true
			}
		}
		if dep {
			for _, s := range st.out {
				if dt := p.facts[s].DType; s >= 0 && (dt == tensor.Undefined || dt.IsFloat()) {
					requires[s] = true
				}
			}
		}
	}
	// Backward: which values reach an output.
	for i := len(p.steps) - 1; i >= 0; i-- {
		st := p.steps[i]
		r := false
		for _, s := range st.out {
			if s >= 0 && reaches[s] {
				r = true
			}
		}
		if r {
			for _, s := range st.in {
				if s >= 0 {
					reaches[s] = true
				}
			}
		}
	}
	gp.active = make([]bool, len(p.steps))
	gp.needGrad = make([][]bool, len(p.steps))
	missing := map[string][]string{}
	for i, st := range p.steps {
		outReaches, inRequires := false, false
		for _, s := range st.out {
			if s >= 0 && reaches[s] && requires[s] {
				outReaches = true
			}
		}
		need := make([]bool, len(st.in))
		for j, s := range st.in {
			if s >= 0 && requires[s] {
				need[j] = true
				inRequires = true
			}
		}
		if !(outReaches && inRequires) {
			continue
		}
		gp.active[i] = true
		gp.needGrad[i] = need
		if _, ok := st.kernel.(Differentiable); !ok {
			key := st.node.OpType
			if st.node.Domain != "" {
				key = st.node.Domain + "::" + key
			}
			missing[key] = append(missing[key], st.node.String())
		}
	}
	if len(missing) > 0 {
		var ops []string
		for op, nodes := range missing {
			if len(nodes) > 3 {
				nodes = append(nodes[:3], fmt.Sprintf("and %d more", len(nodes)-3))
			}
			ops = append(ops, fmt.Sprintf("%s (%s)", op, strings.Join(nodes, ", ")))
		}
		sort.Strings(ops)
		return nil, &NotDifferentiableError{Ops: ops}
	}
	return gp, nil
}

// Tape is the record of one differentiable forward pass. It holds only
// what the backward rules of the active steps need; Backward releases each
// step's record once it is processed, so a Tape is used once.
type Tape struct {
	gp      *GradPlan
	records []*Forward // per step; nil for inactive steps
	opts    RunOptions
	used    bool
	// state holds the updates of StateUpdater steps whose records Backward
	// has already released, by variable name.
	state map[string]*tensor.Tensor
}

// Forward runs the model, recording what Backward needs, and returns the
// outputs and the tape.
func (gp *GradPlan) Forward(ctx context.Context, inputs map[string]*tensor.Tensor, opts RunOptions) (map[string]*tensor.Tensor, *Tape, error) {
	p := gp.m.plan
	vals, err := p.bindInputs(inputs)
	if err != nil {
		return nil, nil, err
	}
	rc := newRunContext(ctx, p.limit, opts.Seed)
	rc.training = opts.Training
	tape := &Tape{gp: gp, records: make([]*Forward, len(p.steps)), opts: opts}
	for i := range p.steps {
		if err := rc.ctx.Err(); err != nil {
			return nil, nil, err
		}
		st := &p.steps[i]
		in := make([]*tensor.Tensor, len(st.in))
		for j, s := range st.in {
			if s >= 0 {
				in[j] = vals[s]
			}
		}
		var saved any
		if gp.active[i] {
			rc.saved = &saved
		}
		out, err := runKernel(rc, st, in)
		rc.saved = nil
		if err != nil {
			return nil, nil, nodeErr(st.node, in, err)
		}
		if gp.active[i] {
			tape.records[i] = &Forward{Inputs: in, Outputs: out, Saved: saved, NeedGrad: gp.needGrad[i]}
		} else if _, ok := st.kernel.(StateUpdater); ok && opts.Training {
			tape.records[i] = &Forward{Inputs: in, Outputs: out, Saved: saved}
		}
		for j, s := range st.out {
			if s >= 0 {
				vals[s] = out[j]
			}
		}
		for _, s := range st.free {
			vals[s] = nil
		}
	}
	out := make(map[string]*tensor.Tensor, len(p.outputs))
	for _, o := range p.outputs {
		out[o.info.Name] = vals[o.slot]
	}
	return out, tape, nil
}

// UpdatedState returns, for a training forward, new values of variables
// that kernels update as a side effect (BatchNormalization running
// statistics), by variable name. It may be called before or after
// Backward.
func (t *Tape) UpdatedState() map[string]*tensor.Tensor {
	upd := map[string]*tensor.Tensor{}
	for name, v := range t.state {
		upd[name] = v
	}
	for i, rec := range t.records {
		if rec != nil {
			t.stepState(i, rec, upd)
		}
	}
	return upd
}

// stepState adds the state updates of step i (if its kernel is a
// StateUpdater) to upd.
func (t *Tape) stepState(i int, rec *Forward, upd map[string]*tensor.Tensor) {
	p := t.gp.m.plan
	su, ok := p.steps[i].kernel.(StateUpdater)
	if !ok || !t.opts.Training {
		return
	}
	for j, v := range su.UpdatedInputs(rec) {
		if j < 0 || j >= len(p.steps[i].in) || v == nil {
			continue
		}
		if name, ok := t.gp.varName[p.steps[i].in[j]]; ok {
			upd[name] = v
		}
	}
}

// Backward computes the gradients of Σ_k <seed_k, output_k> with respect
// to the plan's wrt values. seeds maps each differentiated output's name to
// its upstream gradient (same shape and dtype as the output). Gradients
// of values that fan out are summed. The tape cannot be reused.
func (t *Tape) Backward(ctx context.Context, seeds map[string]*tensor.Tensor) (map[string]*tensor.Tensor, error) {
	if t.used {
		return nil, fmt.Errorf("%w: a tape can be differentiated once", ErrInput)
	}
	t.used = true
	gp := t.gp
	p := gp.m.plan
	acc := gradSlots{grads: make([]*tensor.Tensor, p.nslots), owned: make([]bool, p.nslots)}
	grads := acc.grads
	for _, o := range p.outputs {
		if s, ok := seeds[o.info.Name]; ok {
			if err := acc.add(o.slot, s); err != nil {
				return nil, fmt.Errorf("seed for %q: %w", o.info.Name, err)
			}
		}
	}
	rc := newRunContext(ctx, p.limit, t.opts.Seed)
	rc.training = t.opts.Training
	for i := len(p.steps) - 1; i >= 0; i-- {
		if err := rc.ctx.Err(); err != nil {
			return nil, err
		}
		rec := t.records[i]
		if !gp.active[i] || rec == nil {
			continue
		}
		st := &p.steps[i]
		gout := make([]*tensor.Tensor, len(st.out))
		any := false
		for j, s := range st.out {
			if s >= 0 && grads[s] != nil {
				gout[j] = grads[s]
				any = true
			}
		}
		if _, ok := st.kernel.(StateUpdater); ok && t.opts.Training {
			if t.state == nil {
				t.state = map[string]*tensor.Tensor{}
			}
			t.stepState(i, rec, t.state)
		}
		t.records[i] = nil // release this step's activations after use
		if !any {
			continue
		}
		gin, err := runBackward(rc, st, rec, gout)
		if err != nil {
			return nil, nodeErr(st.node, rec.Inputs, err)
		}
		for j, s := range st.in {
			if s < 0 || !rec.NeedGrad[j] || j >= len(gin) || gin[j] == nil {
				continue
			}
			if err := acc.add(s, gin[j]); err != nil {
				return nil, nodeErr(st.node, rec.Inputs, fmt.Errorf("%w: gradient of input %d: %v", ErrInternal, j, err))
			}
		}
		// Intermediate gradients are no longer needed once their producer
		// has consumed them.
		for _, s := range st.out {
			if s >= 0 {
				grads[s], acc.owned[s] = nil, false
			}
		}
	}
	out := make(map[string]*tensor.Tensor, len(gp.wrt))
	for k, name := range gp.wrt {
		g := grads[gp.wrtIdx[k]]
		if g == nil {
			// The value does not influence the outputs: its gradient is 0.
			var in *tensor.Tensor
			for _, pi := range p.inputs {
				if pi.slot == gp.wrtIdx[k] {
					in = pi.def
				}
			}
			if f := p.facts[gp.wrtIdx[k]]; f.Static() {
				z, err := tensor.Zeros(f.DType, f.Shape...)
				if err == nil {
					g = z
				}
			} else if in != nil {
				g, _ = tensor.Zeros(in.DType(), in.Shape()...)
			}
		}
		out[name] = g
	}
	return out, nil
}

func runBackward(rc *RunContext, st *step, f *Forward, gout []*tensor.Tensor) (g []*tensor.Tensor, err error) {
	defer func() {
		if r := recover(); r != nil {
			g, err = nil, panicError(r)
		}
	}()
	g, err = st.kernel.(Differentiable).Backward(rc, f, gout)
	if err == nil && len(g) > len(f.Inputs) {
		err = fmt.Errorf("%w: backward returned %d gradients for %d inputs", ErrInternal, len(g), len(f.Inputs))
	}
	return g, err
}

// gradSlots holds the gradient of each value slot during Backward.
// owned[s] is true when grads[s] is a sum that Backward allocated itself:
// only those are added to in place. Gradients returned by backward rules
// and seeds may share storage with other tensors (a rule may return its
// upstream gradient, or a view of it), so the first addition into one
// allocates.
type gradSlots struct {
	grads []*tensor.Tensor
	owned []bool
}

// add adds g into slot s (a fan-out sum).
func (a *gradSlots) add(s int, g *tensor.Tensor) error {
	cur := a.grads[s]
	if cur == nil {
		a.grads[s] = g
		return nil
	}
	if cur.DType() != g.DType() || !tensor.SameShape(cur.Shape(), g.Shape()) {
		return fmt.Errorf("gradients %v and %v do not match", cur, g)
	}
	if cur.DType() != tensor.Float32 && cur.DType() != tensor.Float64 {
		return fmt.Errorf("cannot accumulate %v gradients", cur.DType())
	}
	if !a.owned[s] {
		// First fan-in: a new tensor cur + g, in one pass.
		sum, err := tensor.Zeros(cur.DType(), cur.Shape()...)
		if err != nil {
			return err
		}
		switch cur.DType() {
		case tensor.Float32:
			addTo(tensor.Data[float32](sum), tensor.Data[float32](cur), tensor.Data[float32](g))
		case tensor.Float64:
			addTo(tensor.Data[float64](sum), tensor.Data[float64](cur), tensor.Data[float64](g))
		}
		a.grads[s], a.owned[s] = sum, true
		return nil
	}
	switch cur.DType() {
	case tensor.Float32:
		addInto(tensor.Data[float32](cur), tensor.Data[float32](g))
	case tensor.Float64:
		addInto(tensor.Data[float64](cur), tensor.Data[float64](g))
	}
	return nil
}

func addTo[T float32 | float64](dst, a, b []T) {
	a, b = a[:len(dst)], b[:len(dst)]
	for i := range dst {
		dst[i] = a[i] + b[i]
	}
}

func addInto[T float32 | float64](dst, src []T) {
	src = src[:len(dst)]
	for i, v := range src {
		dst[i] += v
	}
}

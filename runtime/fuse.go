package runtime

import (
	"fmt"
	"strings"
)

// Operator fusion: an inference-only planning pass that merges a step with
// the single step that reads its output (Conv followed by Relu, Clip,
// BatchNormalization, Add, ...), when the producer's kernel knows how to
// absorb the consumer. The fused kernel writes the consumer's outputs
// directly, which saves a pass over memory, an intermediate tensor and a
// hand-off between kernels.
//
// The pass works on a copy of the plan: training runs and Differentiate
// keep the unfused plan, so backward rules and batch statistics see the
// graph as written.

// Fuser is implemented by kernels that can absorb the node consuming their
// output. Fuse is offered the consumer as a build context (its node, opset
// version, attributes and input facts; constant inputs carry their values)
// and the index of the consumer input that reads the producer's output. It
// returns the fused kernel, or nil to decline; an error is a bug in the
// kernel and fails Compile.
//
// The fused kernel's Run receives the producer's inputs followed by the
// consumer's other inputs (every input except the fused one, in order, nil
// for omitted ones), and returns the consumer's outputs. A fused kernel may
// itself implement Fuser, so chains (Conv → BatchNormalization → Relu) fuse
// step by step. Fuse must not modify the receiver: the unfused plan still
// uses it. Fused kernels only run in inference runs (RunOptions.Training
// false), so a fuser may absorb a stateful op such as BatchNormalization by
// reproducing its inference behaviour.
type Fuser interface {
	Fuse(next *BuildContext, input int) (Kernel, error)
}

// fused returns a copy of p with fusable steps merged, or p itself when
// nothing fuses. p must already have its lifetimes planned (they are
// recomputed for the copy).
func (c *compiler) fused(p *plan) (*plan, error) {
	steps := append([]step(nil), p.steps...)
	for i := range steps {
		steps[i].free = nil
	}
	keep := make([]bool, p.nslots)
	for _, o := range p.outputs {
		keep[o.slot] = true
	}
	for _, s := range p.captures {
		keep[s] = true
	}
	changed := false
	for {
		merged, err := c.fuseOnce(p, steps, keep)
		if err != nil {
			return nil, err
		}
		if merged < 0 {
			break
		}
		steps = append(steps[:merged], steps[merged+1:]...)
		changed = true
	}
	if !changed {
		return p, nil
	}
	q := *p
	q.steps = steps
	q.planLifetimes()
	return &q, nil
}

// fuseOnce finds the first producer that fuses with its consumer, replaces
// the consumer step by the fused step and returns the producer's index (for
// the caller to remove), or -1 when nothing fuses.
func (c *compiler) fuseOnce(p *plan, steps []step, keep []bool) (int, error) {
	type use struct{ step, pos, count int }
	uses := make([]use, p.nslots)
	for i := range uses {
		uses[i].step = -1
	}
	for i, st := range steps {
		for j, s := range st.in {
			if s < 0 {
				continue
			}
			uses[s].count++
			uses[s].step, uses[s].pos = i, j
		}
	}
	for i, st := range steps {
		fu, ok := st.kernel.(Fuser)
		if !ok {
			continue
		}
		// Exactly one produced value, read once, by an explicit input of a
		// later step, and not a graph output.
		out, produced := -1, 0
		for _, s := range st.out {
			if s >= 0 {
				out = s
				produced++
			}
		}
		if produced != 1 || keep[out] || uses[out].count != 1 {
			continue
		}
		j, pos := uses[out].step, uses[out].pos
		next := &steps[j]
		if j <= i || len(next.in) != len(next.node.Inputs) {
			continue
		}
		facts := make([]Fact, len(next.in))
		for k, s := range next.in {
			if s < 0 {
				facts[k] = Fact{Absent: true}
			} else {
				facts[k] = p.facts[s]
			}
		}
		b := &BuildContext{Node: next.node, Version: opsetVersion(p.graph.Opsets, next.node.Domain), Inputs: facts, c: c, device: c.opts.Device}
		k, err := safeFuse(fu, b, pos)
		if err == nil {
			err = b.err
		}
		if err != nil {
			return -1, &NodeError{Node: st.node.Name, OpType: st.node.OpType, Domain: st.node.Domain, Err: fmt.Errorf("%w: fusing with %v: %v", ErrInternal, next.node, err)}
		}
		if k == nil {
			continue
		}
		*next = fuseSteps(st, *next, pos, k)
		return i, nil
	}
	return -1, nil
}

// fuseSteps builds the step that runs producer a and consumer b as one
// kernel k; b read a's output at input pos.
func fuseSteps(a, b step, pos int, k Kernel) step {
	n := &Node{
		Name:    a.node.Name + "+" + b.node.Name,
		OpType:  a.node.OpType + "+" + b.node.OpType,
		Domain:  a.node.Domain,
		Inputs:  append([]string(nil), a.node.Inputs...),
		Outputs: b.node.Outputs,
	}
	if a.node.Name == "" || b.node.Name == "" {
		n.Name = strings.Trim(n.Name, "+")
	}
	in := append([]int(nil), a.in...)
	for j, s := range b.in {
		if j != pos {
			in = append(in, s)
			n.Inputs = append(n.Inputs, b.node.Inputs[j])
		}
	}
	return step{node: n, op: a.op, kernel: k, in: in, out: b.out}
}

func safeFuse(f Fuser, b *BuildContext, pos int) (k Kernel, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = panicError(r)
		}
	}()
	return f.Fuse(b, pos)
}

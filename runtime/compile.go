package runtime

import (
	"context"
	"fmt"
	"runtime/debug"
	"slices"
	"sort"
	"strings"

	"github.com/optnet-go/optnet/runtime/tensor"
)

// Device is where kernels run.
type Device uint8

// Execution devices. Auto picks CUDA when a GPU is available.
const (
	CPU Device = iota
	CUDA
	Auto
)

func (d Device) String() string {
	switch d {
	case CPU:
		return "cpu"
	case CUDA:
		return "cuda"
	case Auto:
		return "auto"
	}
	return fmt.Sprintf("device(%d)", uint8(d))
}

// Options configure Compile. The zero value is a sensible default.
type Options struct {
	// MaxTensorBytes bounds every tensor an op sizes from input values
	// (ConstantOfShape, Expand, Tile, ...). Zero means 4 GiB.
	MaxTensorBytes int64
	// NoFold disables constant folding.
	NoFold bool
	// NoFuse disables operator fusion (see Fuser) in the plan that
	// inference runs use.
	NoFuse bool
	// Variables names initializers that are not constants: they are never
	// folded and each run may override them by passing an input of the same
	// name (the initializer is the default). Training compiles its
	// parameters as variables.
	Variables []string
	// Device selects where kernels that support several devices run.
	Device Device
}

const defaultMaxTensorBytes = 4 << 30

// Model is a compiled graph: an immutable execution plan. It is safe for
// concurrent use by many goroutines; each Run keeps its own values.
type Model struct {
	plan    *plan // as written: training runs and Differentiate use it
	fast    *plan // fused for inference runs; plan itself when nothing fuses
	opts    Options
	buffers *bufferPool // storage recycled by inference runs (see Buffer)
}

// plan is a compiled graph or subgraph.
type plan struct {
	graph  *Graph
	steps  []step
	nslots int
	names  []string // slot -> value name
	facts  []Fact   // slot -> what compile time knows
	consts []constSlot
	inputs []planInput
	// captures are the slots of values read from enclosing graphs
	// (subgraphs only), in the order of captureNames.
	captures     []int
	captureNames []string
	outputs      []planOutput
	limit        int64
}

type step struct {
	node   *Node
	op     *Op
	kernel Kernel
	in     []int // slots; -1 for an omitted input; explicit then implicit
	out    []int // slots; -1 for an omitted output
	free   []int // slots whose last use is this step
}

type constSlot struct {
	slot int
	val  *tensor.Tensor
}

type planInput struct {
	info ValueInfo
	slot int
	def  *tensor.Tensor // default (initializer) for optional inputs
}

type planOutput struct {
	info ValueInfo
	slot int
}

func (p *plan) newValues() []*tensor.Tensor {
	vals := make([]*tensor.Tensor, p.nslots)
	for _, c := range p.consts {
		vals[c.slot] = c.val
	}
	return vals
}

// compiler carries what all graphs of one Compile share.
type compiler struct {
	reg  *Registry
	opts Options
	vars map[string]bool
}

// scope resolves value names to slots of one plan; names it does not define
// are captured from the enclosing scope.
type scope struct {
	parent *scope
	p      *plan
	slots  map[string]int
}

func (s *scope) newSlot(name string, f Fact) int {
	slot := s.p.nslots
	s.p.nslots++
	s.p.names = append(s.p.names, name)
	s.p.facts = append(s.p.facts, f)
	s.slots[name] = slot
	return slot
}

// resolve returns the slot of name, capturing it from an enclosing graph
// when this graph does not define it.
func (s *scope) resolve(name string) (int, bool) {
	if slot, ok := s.slots[name]; ok {
		return slot, true
	}
	if s.parent == nil || !s.parent.defines(name) {
		return -1, false
	}
	pslot, _ := s.parent.resolve(name)
	slot := s.newSlot(name, s.parent.p.facts[pslot])
	s.p.facts[slot].Value = nil // outer values are per run, even when constant there
	s.p.captures = append(s.p.captures, slot)
	s.p.captureNames = append(s.p.captureNames, name)
	return slot, true
}

func (s *scope) defines(name string) bool {
	for sc := s; sc != nil; sc = sc.parent {
		if _, ok := sc.slots[name]; ok {
			return true
		}
	}
	return false
}

// Compile checks g against the registry and plans it: every node is bound
// to an op implementation for its opset version and built once, nodes are
// ordered topologically, constant subexpressions are folded, and each
// intermediate value is released after its last use.
func Compile(g *Graph, reg *Registry, opts Options) (*Model, error) {
	if g == nil {
		return nil, invalidf("nil graph")
	}
	if err := reg.CheckSupported(g); err != nil {
		return nil, err
	}
	if opts.MaxTensorBytes <= 0 {
		opts.MaxTensorBytes = defaultMaxTensorBytes
	}
	c := &compiler{reg: reg, opts: opts, vars: map[string]bool{}}
	for _, v := range opts.Variables {
		if _, ok := g.Initializers[v]; !ok {
			return nil, invalidf("variable %q is not an initializer", v)
		}
		c.vars[v] = true
	}
	p, err := c.compileGraph(g, nil, g.Opsets)
	if err != nil {
		return nil, err
	}
	fast := p
	if !opts.NoFuse {
		if fast, err = c.fused(p); err != nil {
			return nil, err
		}
	}
	return &Model{plan: p, fast: fast, opts: opts, buffers: new(bufferPool)}, nil
}

func (c *compiler) compileSubgraph(g *Graph, parent *scope, owner *Node) (*Subgraph, error) {
	p, err := c.compileGraph(g, parent, parent.p.graph.Opsets)
	if err != nil {
		return nil, err
	}
	return &Subgraph{plan: p}, nil
}

func (c *compiler) compileGraph(g *Graph, parent *scope, opsets map[string]int) (*plan, error) {
	if g.Opsets == nil {
		g2 := *g
		g2.Opsets = opsets
		g = &g2
	}
	p := &plan{graph: g, limit: c.opts.MaxTensorBytes}
	sc := &scope{parent: parent, p: p, slots: map[string]int{}}
	declared := map[string]ValueInfo{}
	for _, vi := range g.ValueInfo {
		declared[vi.Name] = vi
	}
	for _, vi := range g.Outputs {
		declared[vi.Name] = vi
	}

	// Graph inputs; an input with an initializer is optional.
	for _, in := range g.Inputs {
		if in.Name == "" {
			return nil, invalidf("graph %q has an input with an empty name", g.Name)
		}
		if _, dup := sc.slots[in.Name]; dup {
			return nil, invalidf("graph input %q is declared twice", in.Name)
		}
		f := factFromInfo(in)
		slot := sc.newSlot(in.Name, f)
		p.inputs = append(p.inputs, planInput{info: in, slot: slot, def: g.Initializers[in.Name]})
	}
	// Initializers: constants, or variables (optional inputs) for training.
	initNames := make([]string, 0, len(g.Initializers))
	for name := range g.Initializers {
		initNames = append(initNames, name)
	}
	sort.Strings(initNames)
	for _, name := range initNames {
		t := g.Initializers[name]
		if t == nil {
			return nil, invalidf("initializer %q has no value", name)
		}
		if _, isInput := sc.slots[name]; isInput {
			continue // default of an optional graph input
		}
		if parent == nil && c.vars[name] {
			slot := sc.newSlot(name, Fact{DType: t.DType(), Shape: t.Shape(), HasShape: true})
			info := ValueInfo{Name: name, DType: t.DType(), Shape: dimsOf(t.Shape())}
			p.inputs = append(p.inputs, planInput{info: info, slot: slot, def: t})
			continue
		}
		slot := sc.newSlot(name, FactOf(t))
		p.consts = append(p.consts, constSlot{slot: slot, val: t})
	}
	// Node outputs must be unique and distinct from inputs/initializers.
	producer := map[string]int{}
	for i, n := range g.Nodes {
		for _, o := range n.Outputs {
			if o == "" {
				continue
			}
			if _, dup := sc.slots[o]; dup {
				return nil, invalidf("node %v writes %q, which is a graph input or initializer", n, o)
			}
			if j, dup := producer[o]; dup {
				return nil, invalidf("value %q is produced by two nodes: %v and %v", o, g.Nodes[j], n)
			}
			producer[o] = i
		}
	}
	order, err := topoOrder(g, producer, sc)
	if err != nil {
		return nil, err
	}

	var steps []step
	for _, ni := range order {
		n := g.Nodes[ni]
		st, folded, err := c.compileNode(n, sc, declared, opsets)
		if err != nil {
			return nil, err
		}
		if !folded {
			steps = append(steps, st)
		}
	}
	p.steps = steps

	for _, o := range g.Outputs {
		slot, ok := sc.resolve(o.Name)
		if !ok {
			return nil, invalidf("graph output %q is not produced by any node, input or initializer", o.Name)
		}
		p.outputs = append(p.outputs, planOutput{info: o, slot: slot})
	}
	p.planLifetimes()
	return p, nil
}

// topoOrder returns node indices in dependency order (stable with respect to
// file order), or an error naming the nodes on a cycle or an undefined input.
func topoOrder(g *Graph, producer map[string]int, sc *scope) ([]int, error) {
	n := len(g.Nodes)
	indeg := make([]int, n)
	users := make([][]int, n)
	for i, node := range g.Nodes {
		deps := map[int]bool{}
		for _, name := range nodeReads(node) {
			if j, ok := producer[name]; ok {
				if j == i {
					return nil, invalidf("node %v reads its own output %q", node, name)
				}
				deps[j] = true
				continue
			}
			if _, ok := sc.slots[name]; ok {
				continue
			}
			if sc.parent != nil && sc.parent.defines(name) {
				continue
			}
			return nil, invalidf("node %v reads %q, which nothing defines", node, name)
		}
		for j := range deps {
			users[j] = append(users[j], i)
			indeg[i]++
		}
	}
	// Kahn's algorithm with a min-heap on file position keeps file order
	// when the file is already sorted.
	var ready intHeap
	for i := 0; i < n; i++ {
		if indeg[i] == 0 {
			ready.push(i)
		}
	}
	order := make([]int, 0, n)
	for ready.len() > 0 {
		i := ready.pop()
		order = append(order, i)
		for _, u := range users[i] {
			indeg[u]--
			if indeg[u] == 0 {
				ready.push(u)
			}
		}
	}
	if len(order) < n {
		var stuck []string
		for i := 0; i < n && len(stuck) < 8; i++ {
			if indeg[i] > 0 {
				stuck = append(stuck, g.Nodes[i].String())
			}
		}
		return nil, invalidf("graph has a cycle through %s", strings.Join(stuck, ", "))
	}
	return order, nil
}

// nodeReads lists every value a node reads: its inputs and the free values
// of its subgraphs.
func nodeReads(n *Node) []string {
	var names []string
	for _, in := range n.Inputs {
		if in != "" {
			names = append(names, in)
		}
	}
	return append(names, implicitInputs(n)...)
}

// implicitInputs lists, in first-use order, the values a node's subgraphs
// read from enclosing graphs.
func implicitInputs(n *Node) []string {
	var out []string
	seen := map[string]bool{}
	add := func(names []string) {
		for _, s := range names {
			if !seen[s] {
				seen[s] = true
				out = append(out, s)
			}
		}
	}
	for _, a := range n.Attrs {
		if a.Graph != nil {
			add(freeValues(a.Graph))
		}
		for _, sg := range a.Graphs {
			add(freeValues(sg))
		}
	}
	return out
}

// freeValues lists the values g reads but does not define.
func freeValues(g *Graph) []string {
	defined := map[string]bool{}
	for _, in := range g.Inputs {
		defined[in.Name] = true
	}
	for name := range g.Initializers {
		defined[name] = true
	}
	for _, n := range g.Nodes {
		for _, o := range n.Outputs {
			defined[o] = true
		}
	}
	var out []string
	seen := map[string]bool{}
	use := func(name string) {
		if name != "" && !defined[name] && !seen[name] {
			seen[name] = true
			out = append(out, name)
		}
	}
	for _, n := range g.Nodes {
		for _, name := range nodeReads(n) {
			use(name)
		}
	}
	for _, o := range g.Outputs {
		use(o.Name)
	}
	return out
}

func (c *compiler) compileNode(n *Node, sc *scope, declared map[string]ValueInfo, opsets map[string]int) (step, bool, error) {
	version := opsetVersion(opsets, n.Domain)
	op, ok := c.reg.Lookup(n.Domain, n.OpType, version)
	if !ok { // CheckSupported ran first, so only a subgraph-only opset can get here
		return step{}, false, &UnsupportedError{Ops: []UnsupportedOp{{Domain: normDomain(n.Domain), OpType: n.OpType, Version: version, Nodes: []string{n.String()}}}}
	}
	if err := checkArity(n, op); err != nil {
		return step{}, false, err
	}
	st := step{node: n, op: op}
	facts := make([]Fact, len(n.Inputs))
	allConst := true
	for i, name := range n.Inputs {
		if name == "" {
			st.in = append(st.in, -1)
			facts[i] = Fact{Absent: true}
			continue
		}
		slot, ok := sc.resolve(name)
		if !ok {
			return step{}, false, invalidf("node %v reads %q, which nothing defines", n, name)
		}
		st.in = append(st.in, slot)
		facts[i] = sc.p.facts[slot]
		if facts[i].Value == nil {
			allConst = false
		}
	}
	implied := implicitInputs(n)
	b := &BuildContext{Node: n, Version: version, Inputs: facts, c: c, sc: sc, device: c.opts.Device, implied: implied}
	kernel, err := safeBuild(op, b)
	if err == nil {
		err = b.err
	}
	if err != nil {
		return step{}, false, &NodeError{Node: n.Name, OpType: n.OpType, Domain: n.Domain, Err: err}
	}
	if kernel == nil {
		return step{}, false, &NodeError{Node: n.Name, OpType: n.OpType, Domain: n.Domain, Err: fmt.Errorf("%w: Build returned no kernel", ErrInternal)}
	}
	st.kernel = kernel
	// Implicit inputs: bind each subgraph capture to a position after the
	// explicit inputs.
	pos := map[string]int{}
	for _, name := range implied {
		slot, ok := sc.resolve(name)
		if !ok {
			return step{}, false, invalidf("node %v: subgraph reads %q, which nothing defines", n, name)
		}
		pos[name] = len(st.in)
		st.in = append(st.in, slot)
		allConst = false
	}
	for _, sub := range b.subs {
		sub.captureIdx = make([]int, len(sub.plan.captureNames))
		for i, name := range sub.plan.captureNames {
			idx, ok := pos[name]
			if !ok {
				return step{}, false, fmt.Errorf("%w: node %v: capture %q not among implicit inputs", ErrInternal, n, name)
			}
			sub.captureIdx[i] = idx
		}
	}

	// Output facts: fold constants, else infer, else use declarations.
	var outFacts []Fact
	folded := false
	if allConst && !c.opts.NoFold && !op.Stateful && len(b.subs) == 0 {
		in := make([]*tensor.Tensor, len(facts))
		for i, f := range facts {
			in[i] = f.Value
		}
		rc := newRunContext(context.Background(), c.opts.MaxTensorBytes, 0)
		out, err := runKernel(rc, &st, in)
		if err != nil {
			return step{}, false, nodeErr(n, in, err)
		}
		folded = true
		outFacts = make([]Fact, len(n.Outputs))
		for i := range n.Outputs {
			if i < len(out) && out[i] != nil {
				outFacts[i] = FactOf(out[i])
			}
		}
	} else if si, ok := kernel.(ShapeInferrer); ok {
		outFacts, err = safeInfer(si, facts)
		if err != nil {
			return step{}, false, nodeErr(n, nil, err)
		}
	}
	for i, name := range n.Outputs {
		if name == "" {
			st.out = append(st.out, -1)
			continue
		}
		var f Fact
		if i < len(outFacts) {
			f = outFacts[i]
		}
		if d, ok := declared[name]; ok && !f.HasShape && f.Value == nil {
			df := factFromInfo(d)
			if f.DType == tensor.Undefined {
				f.DType = df.DType
			}
			f.Shape, f.HasShape = df.Shape, df.HasShape
		}
		slot := sc.newSlot(name, f)
		st.out = append(st.out, slot)
		if folded {
			if f.Value == nil {
				return step{}, false, nodeErr(n, nil, fmt.Errorf("%w: constant node produced no output %d", ErrInternal, i))
			}
			sc.p.consts = append(sc.p.consts, constSlot{slot: slot, val: f.Value})
		}
	}
	return st, folded, nil
}

func checkArity(n *Node, op *Op) error {
	in, out := len(n.Inputs), len(n.Outputs)
	if in < op.Inputs[0] || (op.Inputs[1] != Variadic && in > op.Inputs[1]) {
		return invalidf("node %v has %d inputs; %s takes %s", n, in, n.OpType, arityString(op.Inputs))
	}
	if out < op.Outputs[0] || (op.Outputs[1] != Variadic && out > op.Outputs[1]) {
		return invalidf("node %v has %d outputs; %s gives %s", n, out, n.OpType, arityString(op.Outputs))
	}
	for i := 0; i < op.Inputs[0]; i++ {
		if n.Inputs[i] == "" && !slices.Contains(op.Optional, i) {
			return invalidf("node %v omits input %d, which %s requires", n, i, n.OpType)
		}
	}
	return nil
}

func arityString(a [2]int) string {
	switch {
	case a[1] == Variadic:
		return fmt.Sprintf("at least %d", a[0])
	case a[0] == a[1]:
		return fmt.Sprint(a[0])
	}
	return fmt.Sprintf("%d to %d", a[0], a[1])
}

func safeBuild(op *Op, b *BuildContext) (k Kernel, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = panicError(r)
		}
	}()
	return op.Build(b)
}

func safeInfer(si ShapeInferrer, in []Fact) (f []Fact, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = panicError(r)
		}
	}()
	return si.InferShapes(in)
}

// PanicError is an op's panic turned into an error; it wraps ErrInternal.
type PanicError struct {
	Value any
	Stack string
}

func (e *PanicError) Error() string { return fmt.Sprintf("internal error: panic: %v", e.Value) }

// Is makes errors.Is(err, ErrInternal) true.
func (e *PanicError) Is(target error) bool { return target == ErrInternal }

func panicError(r any) error { return &PanicError{Value: r, Stack: string(debug.Stack())} }

func factFromInfo(vi ValueInfo) Fact {
	f := Fact{DType: vi.DType}
	if vi.Kind != KindTensor {
		return Fact{}
	}
	if vi.Shape != nil {
		f.HasShape = true
		f.Shape = make([]int, len(vi.Shape))
		for i, d := range vi.Shape {
			if d.Fixed() {
				f.Shape[i] = int(d.Value)
			} else {
				f.Shape[i] = -1
			}
		}
	}
	return f
}

func dimsOf(shape []int) []Dim {
	d := make([]Dim, len(shape))
	for i, s := range shape {
		d[i] = Dim{Value: int64(s)}
	}
	return d
}

// planLifetimes computes, for each step, which slots are read for the last
// time there, so Run can drop them. Inputs, constants, captures and graph
// outputs stay.
func (p *plan) planLifetimes() {
	keep := make([]bool, p.nslots)
	for _, c := range p.consts {
		keep[c.slot] = true
	}
	for _, s := range p.captures {
		keep[s] = true
	}
	for _, o := range p.outputs {
		keep[o.slot] = true
	}
	last := make([]int, p.nslots)
	for i := range last {
		last[i] = -1
	}
	for i, st := range p.steps {
		for _, s := range st.in {
			if s >= 0 {
				last[s] = i
			}
		}
	}
	for s, i := range last {
		if i >= 0 && !keep[s] {
			p.steps[i].free = append(p.steps[i].free, s)
		}
	}
	// Values produced but never read are dropped right away.
	for i := range p.steps {
		for _, s := range p.steps[i].out {
			if s >= 0 && last[s] < 0 && !keep[s] {
				p.steps[i].free = append(p.steps[i].free, s)
			}
		}
	}
}

// intHeap is a small min-heap of ints.
type intHeap struct{ a []int }

func (h *intHeap) len() int { return len(h.a) }

func (h *intHeap) push(x int) {
	h.a = append(h.a, x)
	i := len(h.a) - 1
	for i > 0 {
		p := (i - 1) / 2
		if h.a[p] <= h.a[i] {
			break
		}
		h.a[p], h.a[i] = h.a[i], h.a[p]
		i = p
	}
}

func (h *intHeap) pop() int {
	top := h.a[0]
	n := len(h.a) - 1
	h.a[0] = h.a[n]
	h.a = h.a[:n]
	i := 0
	for {
		l, r, m := 2*i+1, 2*i+2, i
		if l < n && h.a[l] < h.a[m] {
			m = l
		}
		if r < n && h.a[r] < h.a[m] {
			m = r
		}
		if m == i {
			return top
		}
		h.a[i], h.a[m] = h.a[m], h.a[i]
		i = m
	}
}

package runtime

import (
	"fmt"
	"sort"
	"sync"
)

// Variadic marks an unbounded maximum arity in Op.Inputs / Op.Outputs.
const Variadic = -1

// Op is one operator implementation: what it is called, from which opset
// version it applies, and how to build a kernel for a node. An op's file
// holds its Op value, its kernel type (forward, and optionally shape
// inference and backward) and, beside it, its test.
type Op struct {
	Domain string // "" (or "ai.onnx") for the default ONNX domain
	Type   string
	// Since is the first opset version this implementation serves; it
	// serves every later version until another registration supersedes it.
	Since int
	// Inputs and Outputs are the allowed arities {min, max}; max may be
	// Variadic. Omitted optional inputs (empty names) count toward the
	// arity. Every op has at least one output.
	Inputs, Outputs [2]int
	// Optional lists inputs below the minimum arity that a node may still
	// omit with an empty name (Loop's trip count, Resize's roi); every other
	// input below the minimum must be given.
	Optional []int
	// Stateful ops (random generators) are never constant-folded.
	Stateful bool
	// Build makes the kernel for one node; it runs once, at compile time.
	Build func(b *BuildContext) (Kernel, error)
}

// OpKey identifies a registration.
type OpKey struct {
	Domain string
	Type   string
	Since  int
}

func (k OpKey) String() string {
	return fmt.Sprintf("%s::%s@%d", DomainName(k.Domain), k.Type, k.Since)
}

type opName struct{ domain, typ string }

// Registry maps (domain, op type, since-version) to an Op. Lookups bind a
// node to the newest registration whose Since does not exceed the node's
// opset version. A Registry is safe for concurrent use.
type Registry struct {
	mu  sync.RWMutex
	ops map[opName][]*Op // sorted by Since
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{ops: map[opName][]*Op{}} }

// Register adds ops. Registering the same (domain, type, since) twice is an
// error, as is an op without a Build function or with an invalid arity.
func (r *Registry) Register(ops ...*Op) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, op := range ops {
		key := OpKey{normDomain(op.Domain), op.Type, op.Since}
		switch {
		case op.Type == "" || op.Since < 1:
			return fmt.Errorf("register %v: op type and since-version >= 1 are required", key)
		case op.Build == nil:
			return fmt.Errorf("register %v: no Build function", key)
		case op.Outputs[0] < 1 || !validArity(op.Outputs) || !validArity(op.Inputs):
			return fmt.Errorf("register %v: invalid arity inputs %v outputs %v", key, op.Inputs, op.Outputs)
		}
		name := opName{key.Domain, key.Type}
		list := r.ops[name]
		for _, o := range list {
			if o.Since == op.Since {
				return fmt.Errorf("register %v: already registered", key)
			}
		}
		list = append(list, op)
		sort.Slice(list, func(i, j int) bool { return list[i].Since < list[j].Since })
		r.ops[name] = list
	}
	return nil
}

func validArity(a [2]int) bool {
	return a[0] >= 0 && (a[1] == Variadic || a[1] >= a[0])
}

// MustRegister is Register for package initialisation; it panics on error.
func (r *Registry) MustRegister(ops ...*Op) {
	if err := r.Register(ops...); err != nil {
		panic(err)
	}
}

// Lookup returns the op serving (domain, type) at the given opset version.
func (r *Registry) Lookup(domain, typ string, version int) (*Op, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	list := r.ops[opName{normDomain(domain), typ}]
	for i := len(list) - 1; i >= 0; i-- {
		if list[i].Since <= version {
			return list[i], true
		}
	}
	return nil, false
}

// Keys lists every registration, sorted.
func (r *Registry) Keys() []OpKey {
	r.mu.RLock()
	defer r.mu.RUnlock()
	var keys []OpKey
	for name, list := range r.ops {
		for _, op := range list {
			keys = append(keys, OpKey{name.domain, name.typ, op.Since})
		}
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.Domain != b.Domain {
			return a.Domain < b.Domain
		}
		if a.Type != b.Type {
			return a.Type < b.Type
		}
		return a.Since < b.Since
	})
	return keys
}

// CheckSupported walks g and its subgraphs and returns an
// *UnsupportedError listing every (domain, op type, version) the registry
// cannot serve, or nil.
func (r *Registry) CheckSupported(g *Graph) error {
	found := map[OpKey]*UnsupportedOp{}
	var walk func(g *Graph, opsets map[string]int)
	walk = func(g *Graph, opsets map[string]int) {
		if g.Opsets != nil {
			opsets = g.Opsets
		}
		for _, n := range g.Nodes {
			v := opsetVersion(opsets, n.Domain)
			if _, ok := r.Lookup(n.Domain, n.OpType, v); !ok {
				k := OpKey{normDomain(n.Domain), n.OpType, v}
				u := found[k]
				if u == nil {
					u = &UnsupportedOp{Domain: k.Domain, OpType: k.Type, Version: v}
					found[k] = u
				}
				u.Nodes = append(u.Nodes, n.String())
			}
			for _, a := range n.Attrs {
				if a.Graph != nil {
					walk(a.Graph, opsets)
				}
				for _, sg := range a.Graphs {
					walk(sg, opsets)
				}
			}
		}
	}
	walk(g, g.Opsets)
	if len(found) == 0 {
		return nil
	}
	e := &UnsupportedError{}
	for _, u := range found {
		e.Ops = append(e.Ops, *u)
	}
	sortUnsupported(e.Ops)
	return e
}

// opsetVersion returns the imported version of a domain. A model that
// imports nothing for the default domain is treated as the newest opset we
// know of (version 1<<20), which binds the newest registration.
func opsetVersion(opsets map[string]int, domain string) int {
	if v, ok := opsets[normDomain(domain)]; ok {
		return v
	}
	if normDomain(domain) == "" {
		return 1 << 20
	}
	return 1
}

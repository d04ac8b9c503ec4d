package qp

import (
	"fmt"

	"github.com/optnet-go/optnet/internal/linalg"
)

// Input names one of the six inputs of a QP. Inputs are combined as a bit
// set in [Problem.Shared].
type Input uint8

// The inputs, in the order of the ONNX op's inputs.
const (
	InputQ Input = 1 << iota
	InputP
	InputG
	InputH
	InputA
	InputB
)

// Problem is a batch of quadratic programs
//
//	minimise ½ zᵀQz + pᵀz  subject to  Gz ≤ h,  Az = b
//
// over z ∈ ℝⁿ, with M inequality and K equality constraints. Every input is
// a flat row-major float64 slice that either holds one array per batch item
// (leading batch dimension) or, when its bit is set in Shared, a single
// array used by every item. When M is 0, G and H are empty (nil); when K is
// 0, A and B are.
//
// Q must be symmetric; the solver uses ½(Q+Qᵀ) (the objective depends on
// nothing else). The solver keeps a reference to the slices: they must not
// change between Solve and the Backward that uses its Solution.
type Problem struct {
	// Batch is the number of problems B. Zero means: infer it from the
	// lengths of the batched inputs (1 when every input is shared).
	Batch int
	// N is the number of variables, M of inequalities, K of equalities.
	N, M, K int
	// Q is n×n, P is n, G is m×n, H is m, A is k×n and B is k, per item.
	Q, P, G, H, A, B []float64
	// Shared is the set of inputs that have no batch dimension.
	Shared Input
}

// dims are the validated sizes of a problem.
type dims struct {
	batch, n, m, k int
}

// item returns the slice of an input that belongs to batch item i.
func itemOf(x []float64, shared bool, size, i int) []float64 {
	if shared {
		return x
	}
	return x[i*size : (i+1)*size]
}

// validate checks sizes and returns the dimensions; it reports ErrShape.
func (p *Problem) validate() (dims, error) {
	d := dims{n: p.N, m: p.M, k: p.K}
	if p.N <= 0 || p.M < 0 || p.K < 0 {
		return d, fmt.Errorf("%w: need N > 0, M ≥ 0, K ≥ 0 (got N=%d M=%d K=%d)", ErrShape, p.N, p.M, p.K)
	}
	if p.Batch < 0 {
		return d, fmt.Errorf("%w: negative batch size %d", ErrShape, p.Batch)
	}
	// An inequality (equality) block is present when M > 0 (K > 0); then G
	// and h (A and b) must both be given. With M = 0 they must be empty.
	if p.M > 0 && (len(p.G) == 0 || len(p.H) == 0) {
		return d, fmt.Errorf("%w: M=%d needs both G and h", ErrShape, p.M)
	}
	if p.K > 0 && (len(p.A) == 0 || len(p.B) == 0) {
		return d, fmt.Errorf("%w: K=%d needs both A and b", ErrShape, p.K)
	}
	n, m, k := p.N, p.M, p.K
	inputs := []struct {
		name string
		x    []float64
		in   Input
		size int
	}{
		{"Q", p.Q, InputQ, n * n},
		{"p", p.P, InputP, n},
		{"G", p.G, InputG, m * n},
		{"h", p.H, InputH, m},
		{"A", p.A, InputA, k * n},
		{"b", p.B, InputB, k},
	}
	batch := p.Batch
	inferred := ""
	for _, in := range inputs {
		if p.Shared&in.in != 0 || in.size == 0 {
			if p.Shared&in.in != 0 && len(in.x) != in.size {
				return d, fmt.Errorf("%w: shared %s has %d elements, want %d", ErrShape, in.name, len(in.x), in.size)
			}
			continue
		}
		if len(in.x)%in.size != 0 || len(in.x) == 0 {
			return d, fmt.Errorf("%w: batched %s has %d elements, not a positive multiple of %d", ErrShape, in.name, len(in.x), in.size)
		}
		b := len(in.x) / in.size
		if batch == 0 {
			batch, inferred = b, in.name
		} else if b != batch {
			from := "Batch"
			if inferred != "" {
				from = inferred
			}
			return d, fmt.Errorf("%w: %s has batch size %d but %s has %d", ErrShape, in.name, b, from, batch)
		}
	}
	if batch == 0 {
		batch = 1
	}
	// Inputs of zero size (m = 0 or k = 0) must be empty.
	for _, in := range inputs {
		if in.size == 0 && len(in.x) != 0 {
			return d, fmt.Errorf("%w: %s has %d elements, want 0", ErrShape, in.name, len(in.x))
		}
	}
	d.batch = batch
	return d, nil
}

// sharedNonFinite names the first shared input holding a NaN or ±Inf ("" if
// none): such an input spoils every item.
func (p *Problem) sharedNonFinite() string {
	for _, in := range p.inputs() {
		if p.Shared&in.in != 0 && !allFinite(in.x) {
			return in.name
		}
	}
	return ""
}

// itemNonFinite names the first batched input holding a NaN or ±Inf in item
// i ("" if none). The same pass counts the nonzeros of a batched Q and G
// into nnz (−1 for a shared or absent one), for their sparsity patterns.
func (p *Problem) itemNonFinite(d dims, i int, nnz *itemCounts) string {
	*nnz = itemCounts{q: -1, g: -1}
	for _, in := range p.inputs() {
		if p.Shared&in.in == 0 && len(in.x) > 0 {
			size := len(in.x) / d.batch
			count, finite := linalg.Scan(in.x[i*size : (i+1)*size])
			if !finite {
				return in.name
			}
			switch in.in {
			case InputQ:
				nnz.q = count
			case InputG:
				nnz.g = count
			}
		}
	}
	return ""
}

// itemCounts holds the nonzero counts of one item's Q and G (−1: unknown).
type itemCounts struct {
	q, g int
}

type namedInput struct {
	name string
	x    []float64
	in   Input
}

func (p *Problem) inputs() [6]namedInput {
	return [6]namedInput{
		{"Q", p.Q, InputQ}, {"p", p.P, InputP}, {"G", p.G, InputG},
		{"h", p.H, InputH}, {"A", p.A, InputA}, {"b", p.B, InputB},
	}
}

func allFinite(x []float64) bool {
	_, finite := linalg.Scan(x)
	return finite
}

package std

import (
	"slices"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// Unique: the distinct elements of the flattened input, or with axis the
// distinct slices along it, ascending (sorted=1, the default; slices
// compare lexicographically) or in order of first occurrence. The optional
// outputs are each unique entry's first index in the input, the index of
// every input entry in the output (inverse), and how often each occurs,
// all int64. Opset 11.

func init() {
	register(&runtime.Op{Type: "Unique", Since: 11, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 4}, Build: buildUnique})
}

type uniqueKernel struct {
	nout    int
	sorted  bool
	axis    int64
	hasAxis bool
}

func buildUnique(b *runtime.BuildContext) (runtime.Kernel, error) {
	return &uniqueKernel{nout: b.NumOutputs(), sorted: b.Int("sorted", 1) != 0, axis: b.Int("axis", 0), hasAxis: b.HasAttr("axis")}, b.Err()
}

func (k *uniqueKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	x := in[0]
	// View the input as rows: [d, rest] with the axis moved to the front.
	a := 0
	rows := x
	if !k.hasAxis {
		r, err := x.Reshape(x.Len(), 1)
		if err != nil {
			return nil, err
		}
		rows = r
	} else {
		var err error
		if a, err = normAxis(k.axis, x.Rank()); err != nil {
			return nil, err
		}
		perm := []int{a}
		for i := 0; i < x.Rank(); i++ {
			if i != a {
				perm = append(perm, i)
			}
		}
		d := x.Dim(a)
		rest := 1
		if d > 0 {
			rest = x.Len() / d
		} else {
			rest = tensor.NumElements(append(append([]int{}, x.Shape()[:a]...), x.Shape()[a+1:]...))
		}
		if rows, err = shpTranspose(x, perm).Reshape(d, rest); err != nil {
			return nil, err
		}
	}
	d, rest := rows.Dim(0), rows.Dim(1)
	kt, raw := shpMustKit(rows), rows.Raw()
	cmpRows := func(p, q int) int {
		for j := 0; j < rest; j++ {
			if c := kt.compare(raw, p*rest+j, raw, q*rest+j); c != 0 {
				return c
			}
		}
		return 0
	}
	order := make([]int, d)
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, cmpRows)
	// Groups of equal rows; the first member of each is its first
	// occurrence (the sort is stable).
	var first []int
	var counts []int64
	group := make([]int, d) // group of each row, in sorted-group order
	for i, r := range order {
		if i == 0 || cmpRows(order[i-1], r) != 0 {
			first = append(first, r)
			counts = append(counts, 0)
		}
		group[r] = len(first) - 1
		counts[len(counts)-1]++
	}
	// rank[g]: output position of group g.
	rank := make([]int, len(first))
	for g := range rank {
		rank[g] = g
	}
	if !k.sorted {
		byFirst := make([]int, len(first))
		for g := range byFirst {
			byFirst[g] = g
		}
		slices.SortFunc(byFirst, func(g, h int) int { return first[g] - first[h] })
		for pos, g := range byFirst {
			rank[g] = pos
		}
	}
	n := len(first)
	idx := make([]int64, n)
	cnt := make([]int64, n)
	sel := make([]int, n)
	for g, pos := range rank {
		idx[pos], cnt[pos], sel[pos] = int64(first[g]), counts[g], first[g]
	}
	inv := make([]int64, d)
	for r := range inv {
		inv[r] = int64(rank[group[r]])
	}
	// Y: the selected rows, moved back into place.
	yRows, err := shpGather(rows, []int{n, rest}, [][]int{uniqueScale(sel, rest), shpAffine(rest, 0, 1, 1)}, nil)
	if err != nil {
		return nil, err
	}
	var y *tensor.Tensor
	if !k.hasAxis {
		y, err = yRows.Reshape(n)
	} else {
		moved := []int{n}
		for i, s := range x.Shape() {
			if i != a {
				moved = append(moved, s)
			}
		}
		var m *tensor.Tensor
		if m, err = yRows.Reshape(moved...); err == nil {
			perm := make([]int, x.Rank())
			for i := range perm {
				switch {
				case i < a:
					perm[i] = i + 1
				case i == a:
					perm[i] = 0
				default:
					perm[i] = i
				}
			}
			y = shpTranspose(m, perm)
		}
	}
	if err != nil {
		return nil, err
	}
	return []*tensor.Tensor{
		y,
		tensor.MustFromSlice([]int{n}, idx),
		tensor.MustFromSlice([]int{d}, inv),
		tensor.MustFromSlice([]int{n}, cnt),
	}[:k.nout], nil
}

// uniqueScale returns v[i]*s.
func uniqueScale(v []int, s int) []int {
	out := make([]int, len(v))
	for i, x := range v {
		out[i] = x * s
	}
	return out
}

package std

import (
	"sort"
	"strings"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// Einsum: Einstein summation over the operands as the equation says
// ("ij,jk->ik"): labels repeated within an operand take its diagonal,
// labels missing from the output are summed, "..." stands for broadcast
// leading dims, and without "->" the output lists the ellipsis dims then
// the labels used once, in alphabetical order (opset 12).
//
// Operands are contracted pairwise, each pair as one batched GEMM after
// summing out labels no one else needs.

func init() {
	register(&runtime.Op{Type: "Einsum", Since: 12, Inputs: [2]int{1, runtime.Variadic}, Outputs: [2]int{1, 1}, Build: buildEinsum})
}

// einsumEllipsis marks "..." in a parsed term.
const einsumEllipsis = -1

// einsumEllipsisLabel is the label of ellipsis dim j (0 = outermost of the
// widest ellipsis).
func einsumEllipsisLabel(j int) int { return 1000 + j }

type einsumKernel struct {
	terms    [][]int // per operand: letters and ellipsis markers
	output   []int   // explicit output term, nil when implicit
	explicit bool
}

func buildEinsum(b *runtime.BuildContext) (runtime.Kernel, error) {
	eq := b.String("equation", "")
	if err := b.Err(); err != nil {
		return nil, err
	}
	if !b.HasAttr("equation") {
		return nil, b.Errorf("required attribute %q is missing", "equation")
	}
	k, err := parseEinsum(eq)
	if err != nil {
		return nil, b.Errorf("equation %q: %v", eq, err)
	}
	if len(k.terms) != b.NumInputs() {
		return nil, b.Errorf("equation %q has %d operands, node has %d inputs", eq, len(k.terms), b.NumInputs())
	}
	return k, nil
}

func parseEinsum(eq string) (*einsumKernel, error) {
	eq = strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' || r == '\n' {
			return -1
		}
		return r
	}, eq)
	k := &einsumKernel{}
	lhs := eq
	if i := strings.Index(eq, "->"); i >= 0 {
		lhs = eq[:i]
		k.explicit = true
		out, err := parseTerm(eq[i+2:])
		if err != nil {
			return nil, err
		}
		seen := map[int]bool{}
		for _, l := range out {
			if seen[l] {
				return nil, errShape("output repeats a label")
			}
			seen[l] = true
		}
		k.output = out
	}
	for _, t := range strings.Split(lhs, ",") {
		term, err := parseTerm(t)
		if err != nil {
			return nil, err
		}
		k.terms = append(k.terms, term)
	}
	return k, nil
}

func parseTerm(s string) ([]int, error) {
	var out []int
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			out = append(out, int(c))
		case c == '.' && strings.HasPrefix(s[i:], "..."):
			for _, l := range out {
				if l == einsumEllipsis {
					return nil, errShape("term %q has two ellipses", s)
				}
			}
			out = append(out, einsumEllipsis)
			i += 2
		default:
			return nil, errShape("unexpected character %q in term %q", c, s)
		}
	}
	return out, nil
}

// eop is an operand during evaluation: contiguous data with one label per
// dim.
type eop[T tensor.Number] struct {
	data   []T
	shape  []int
	labels []int
}

func (k *einsumKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if len(in) != len(k.terms) {
		return nil, errShape("Einsum equation has %d operands, got %d inputs", len(k.terms), len(in))
	}
	if err := sameDTypes(in); err != nil {
		return nil, err
	}
	dt := in[0].DType()
	w, err := nnWiden(in...)
	if err != nil {
		return nil, err
	}
	var out *tensor.Tensor
	switch w[0].DType() {
	case tensor.Float32:
		out, err = einsumRun[float32](rc, k, w)
	case tensor.Float64:
		out, err = einsumRun[float64](rc, k, w)
	case tensor.Int32:
		out, err = einsumRun[int32](rc, k, w)
	case tensor.Int64:
		out, err = einsumRun[int64](rc, k, w)
	case tensor.Uint32:
		out, err = einsumRun[uint32](rc, k, w)
	case tensor.Uint64:
		out, err = einsumRun[uint64](rc, k, w)
	default:
		return nil, errDType("Einsum does not support %v", dt)
	}
	return nnNarrow(dt, []*tensor.Tensor{out}, err)
}

// labelOperands expands each term against its operand's rank, returning
// the label of every dim, and the output labels.
func (k *einsumKernel) labelOperands(in []*tensor.Tensor) ([][]int, []int, error) {
	ell := 0 // the widest ellipsis
	nell := make([]int, len(in))
	for i, t := range k.terms {
		letters, hasEll := 0, false
		for _, l := range t {
			if l == einsumEllipsis {
				hasEll = true
			} else {
				letters++
			}
		}
		r := in[i].Rank()
		if (!hasEll && r != letters) || (hasEll && r < letters) {
			return nil, nil, errShape("operand %d of shape %v does not fit its term of %d labels", i, in[i].Shape(), letters)
		}
		nell[i] = r - letters
		ell = max(ell, nell[i])
	}
	labels := make([][]int, len(in))
	for i, t := range k.terms {
		for _, l := range t {
			if l != einsumEllipsis {
				labels[i] = append(labels[i], l)
				continue
			}
			for j := 0; j < nell[i]; j++ {
				labels[i] = append(labels[i], einsumEllipsisLabel(ell-nell[i]+j))
			}
		}
	}
	var out []int
	if k.explicit {
		used := map[int]bool{}
		for _, ls := range labels {
			for _, l := range ls {
				used[l] = true
			}
		}
		for _, l := range k.output {
			if l == einsumEllipsis {
				for j := 0; j < ell; j++ {
					out = append(out, einsumEllipsisLabel(j))
				}
				continue
			}
			if !used[l] {
				return nil, nil, errShape("output label %q is not in any operand", rune(l))
			}
			out = append(out, l)
		}
	} else {
		count := map[int]int{}
		for _, ls := range labels {
			for _, l := range ls {
				count[l]++
			}
		}
		for j := 0; j < ell; j++ {
			out = append(out, einsumEllipsisLabel(j))
		}
		var once []int
		for l, c := range count {
			if c == 1 && l < einsumEllipsisLabel(0) {
				once = append(once, l)
			}
		}
		sort.Ints(once)
		out = append(out, once...)
	}
	return labels, out, nil
}

func einsumRun[T tensor.Number](rc *runtime.RunContext, k *einsumKernel, in []*tensor.Tensor) (*tensor.Tensor, error) {
	labels, outLabels, err := k.labelOperands(in)
	if err != nil {
		return nil, err
	}
	// Every label's size; ellipsis dims broadcast (1 against n).
	size := map[int]int{}
	for i, ls := range labels {
		for j, l := range ls {
			d := in[i].Shape()[j]
			s, ok := size[l]
			switch {
			case !ok || s == d:
				size[l] = d
			case l >= einsumEllipsisLabel(0) && (s == 1 || d == 1):
				size[l] = max(s, d)
			default:
				return nil, errShape("label %q has sizes %d and %d", rune(l), s, d)
			}
		}
	}
	// needed[i] holds the labels that operands after i or the output use.
	needed := make([]map[int]bool, len(in))
	acc := map[int]bool{}
	for _, l := range outLabels {
		acc[l] = true
	}
	for i := len(in) - 1; i >= 0; i-- {
		needed[i] = map[int]bool{}
		for l := range acc {
			needed[i][l] = true
		}
		for _, l := range labels[i] {
			acc[l] = true
		}
	}
	ops := make([]*eop[T], len(in))
	for i, t := range in {
		ops[i] = einsumDiagonal(&eop[T]{data: tensor.Data[T](t), shape: t.Shape(), labels: labels[i]})
	}
	cur := ops[0]
	for i := 1; i < len(ops); i++ {
		if err := rc.Err(); err != nil {
			return nil, err
		}
		// Keep what the output, later operands and this pair need.
		keepA, keepB := einsumCopySet(needed[i]), einsumCopySet(needed[i])
		for _, l := range ops[i].labels {
			keepA[l] = true
		}
		for _, l := range cur.labels {
			keepB[l] = true
		}
		a := einsumSumOut(cur, keepA)
		b := einsumSumOut(ops[i], keepB)
		cur, err = einsumContract(rc, a, b, needed[i], size)
		if err != nil {
			return nil, err
		}
	}
	keep := map[int]bool{}
	for _, l := range outLabels {
		keep[l] = true
	}
	cur = einsumSumOut(cur, keep)
	// Arrange the output dims in order (broadcasting any size-1 dims).
	outShape := make([]int, len(outLabels))
	strides := make([]int, len(outLabels))
	cs := tensor.Strides(cur.shape)
	for j, l := range outLabels {
		outShape[j] = size[l]
		for p, cl := range cur.labels {
			if cl == l && cur.shape[p] != 1 {
				strides[j] = cs[p]
			}
		}
	}
	if err := rc.CheckSize(tensor.DTypeOf[T](), outShape); err != nil {
		return nil, err
	}
	return tensor.FromSlice(outShape, einsumGather(cur.data, outShape, strides))
}

func einsumCopySet(m map[int]bool) map[int]bool {
	c := make(map[int]bool, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

// einsumGather copies the view of src with the given shape and per-dim strides
// (0 broadcasts, a sum of strides walks a diagonal) into a new slice.
func einsumGather[T any](src []T, shape, strides []int) []T {
	n := nnProd(shape)
	out := make([]T, n)
	if n == 0 {
		return out
	}
	nd := len(shape)
	if nd == 0 {
		out[0] = src[0]
		return out
	}
	idx := make([]int, nd)
	off := 0
	last, ls := shape[nd-1], strides[nd-1]
	for o := 0; o < n; o += last {
		row := out[o : o+last]
		if ls == 1 {
			copy(row, src[off:off+last])
		} else {
			p := off
			for i := range row {
				row[i] = src[p]
				p += ls
			}
		}
		for d := nd - 2; d >= 0; d-- {
			idx[d]++
			off += strides[d]
			if idx[d] < shape[d] {
				break
			}
			off -= strides[d] * shape[d]
			idx[d] = 0
		}
	}
	return out
}

// einsumDiagonal merges the dims of repeated labels into their diagonal.
func einsumDiagonal[T tensor.Number](e *eop[T]) *eop[T] {
	st := tensor.Strides(e.shape)
	var labels, shape, strides []int
	pos := map[int]int{}
	for j, l := range e.labels {
		if p, ok := pos[l]; ok {
			strides[p] += st[j]
			shape[p] = min(shape[p], e.shape[j])
			continue
		}
		pos[l] = len(labels)
		labels = append(labels, l)
		shape = append(shape, e.shape[j])
		strides = append(strides, st[j])
	}
	if len(labels) == len(e.labels) {
		return e
	}
	return &eop[T]{data: einsumGather(e.data, shape, strides), shape: shape, labels: labels}
}

// einsumSumOut sums e over the labels not in keep.
func einsumSumOut[T tensor.Number](e *eop[T], keep map[int]bool) *eop[T] {
	var kept, gone []int
	for j, l := range e.labels {
		if keep[l] {
			kept = append(kept, j)
		} else {
			gone = append(gone, j)
		}
	}
	if len(gone) == 0 {
		return e
	}
	order := append(append([]int(nil), kept...), gone...)
	st := tensor.Strides(e.shape)
	shape, strides := make([]int, len(order)), make([]int, len(order))
	for i, j := range order {
		shape[i], strides[i] = e.shape[j], st[j]
	}
	t := einsumGather(e.data, shape, strides)
	inner := nnProd(shape[len(kept):])
	res := &eop[T]{shape: shape[:len(kept)], data: make([]T, nnProd(shape[:len(kept)]))}
	for _, j := range kept {
		res.labels = append(res.labels, e.labels[j])
	}
	for i := range res.data {
		var s T
		for _, v := range t[i*inner : (i+1)*inner] {
			s += v
		}
		res.data[i] = s
	}
	return res
}

// einsumArrange copies e with its dims in the order of labels, broadcasting
// size-1 dims to the label sizes.
func einsumArrange[T tensor.Number](e *eop[T], labels []int, size map[int]int) []T {
	st := tensor.Strides(e.shape)
	shape, strides := make([]int, len(labels)), make([]int, len(labels))
	for i, l := range labels {
		shape[i] = size[l]
		for j, el := range e.labels {
			if el == l && e.shape[j] != 1 {
				strides[i] = st[j]
			}
		}
	}
	return einsumGather(e.data, shape, strides)
}

// einsumContract multiplies a and b, summing the labels they share that keep
// does not hold, as one batched product: batch labels (shared, kept),
// then a's own, then b's own.
func einsumContract[T tensor.Number](rc *runtime.RunContext, a, b *eop[T], keep map[int]bool, size map[int]int) (*eop[T], error) {
	inB := map[int]bool{}
	for _, l := range b.labels {
		inB[l] = true
	}
	inA := map[int]bool{}
	for _, l := range a.labels {
		inA[l] = true
	}
	var batch, sum, aOnly, bOnly []int
	for _, l := range a.labels {
		switch {
		case inB[l] && keep[l]:
			batch = append(batch, l)
		case inB[l]:
			sum = append(sum, l)
		default:
			aOnly = append(aOnly, l)
		}
	}
	for _, l := range b.labels {
		if !inA[l] {
			bOnly = append(bOnly, l)
		}
	}
	dims := func(ls []int) int {
		n := 1
		for _, l := range ls {
			n *= size[l]
		}
		return n
	}
	nb, m, kk, n := dims(batch), dims(aOnly), dims(sum), dims(bOnly)
	labels := append(append(append([]int(nil), batch...), aOnly...), bOnly...)
	shape := make([]int, len(labels))
	for i, l := range labels {
		shape[i] = size[l]
	}
	// The arranged operands materialise broadcast dims: check them too.
	for _, sh := range [][]int{shape, {nb, m, kk}, {nb, kk, n}} {
		if err := rc.CheckSize(tensor.DTypeOf[T](), sh); err != nil {
			return nil, err
		}
	}
	ad := einsumArrange(a, append(append(append([]int(nil), batch...), aOnly...), sum...), size)
	bd := einsumArrange(b, append(append(append([]int(nil), batch...), sum...), bOnly...), size)
	out := make([]T, nb*m*n)
	s := &bmmShape{m: m, n: n, k: kk, aBatch: []int{nb}, bBatch: []int{nb}, outBatch: []int{nb}}
	bmmRun(s, ad, bd, out)
	return &eop[T]{data: out, shape: shape, labels: labels}, nil
}

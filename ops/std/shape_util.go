package std

import (
	"cmp"

	"github.com/optnet-go/optnet/internal/parallel"
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// Shared machinery of the shape and data-movement ops (Reshape, Transpose,
// Slice, Gather, Pad, Tile, ...): typed element kits that move elements of
// any dtype (block copies, axis-separable gathers, blocked transposes),
// axis and index helpers, and gradient helpers.

// shpKit holds the typed data-movement loops of one element type. Its
// arguments are storage slices (tensor.Raw) of that type; a kit is chosen
// once per op call, so the per-call type assertions are cheap.
type shpKit interface {
	// gather fills dst (contiguous, shape out) with
	// dst[i_0, ..., i_r-1] = src[Σ_k maps[k][i_k]]; an element for which
	// some maps[k][i_k] is negative gets fill[0] (fill is a one-element
	// slice of the kit's type, or nil for the zero value).
	gather(dst, src any, out []int, maps [][]int, fill any)
	// transpose writes the permutation perm of src (shape) into dst.
	transpose(dst, src any, shape, perm []int)
	// copyN copies n elements src[sOff:] to dst[dOff:].
	copyN(dst any, dOff int, src any, sOff, n int)
	// take sets dst[dOff+i] = src[idx[i]].
	take(dst any, dOff int, src any, idx []int)
	// put sets dst[idx[i]] = src[sOff+i].
	put(dst any, idx []int, src any, sOff int)
	// fillN sets dst[lo:hi] to v[0] (v is a one-element slice).
	fillN(dst any, lo, hi int, v any)
	// compare orders a[i] and b[j] (-1, 0, +1); NaNs sort first.
	compare(a any, i int, b any, j int) int
}

type shpKitT[T tensor.Elem] struct{}

// shpKitFor returns the kit of dtype dt.
func shpKitFor(dt tensor.DType) (shpKit, error) {
	switch dt {
	case tensor.Float32:
		return shpKitT[float32]{}, nil
	case tensor.Float64:
		return shpKitT[float64]{}, nil
	case tensor.Float16:
		return shpKitT[tensor.F16]{}, nil
	case tensor.BFloat16:
		return shpKitT[tensor.BF16]{}, nil
	case tensor.Int8:
		return shpKitT[int8]{}, nil
	case tensor.Int16:
		return shpKitT[int16]{}, nil
	case tensor.Int32:
		return shpKitT[int32]{}, nil
	case tensor.Int64:
		return shpKitT[int64]{}, nil
	case tensor.Uint8:
		return shpKitT[uint8]{}, nil
	case tensor.Uint16:
		return shpKitT[uint16]{}, nil
	case tensor.Uint32:
		return shpKitT[uint32]{}, nil
	case tensor.Uint64:
		return shpKitT[uint64]{}, nil
	case tensor.Bool:
		return shpKitT[bool]{}, nil
	case tensor.String:
		return shpKitT[string]{}, nil
	}
	return nil, errDType("unsupported dtype %v", dt)
}

// shpMustKit is kitFor for dtypes of existing tensors (always valid).
func shpMustKit(t *tensor.Tensor) shpKit {
	k, err := shpKitFor(t.DType())
	if err != nil {
		panic(err)
	}
	return k
}

func (shpKitT[T]) copyN(dst any, dOff int, src any, sOff, n int) {
	copy(dst.([]T)[dOff:dOff+n], src.([]T)[sOff:sOff+n])
}

func (shpKitT[T]) take(dst any, dOff int, src any, idx []int) {
	d, s := dst.([]T)[dOff:dOff+len(idx)], src.([]T)
	for i, j := range idx {
		d[i] = s[j]
	}
}

func (shpKitT[T]) put(dst any, idx []int, src any, sOff int) {
	d, s := dst.([]T), src.([]T)[sOff:sOff+len(idx)]
	for i, j := range idx {
		d[j] = s[i]
	}
}

func (shpKitT[T]) fillN(dst any, lo, hi int, v any) {
	d, x := dst.([]T)[lo:hi], v.([]T)[0]
	for i := range d {
		d[i] = x
	}
}

func (shpKitT[T]) compare(a any, i int, b any, j int) int {
	return shpCompare(a.([]T)[i], b.([]T)[j])
}

// shpCompare orders two elements; bools order false < true, 16-bit floats
// by value, NaN below everything (as cmp.Compare does).
func shpCompare[T tensor.Elem](x, y T) int {
	switch xv := any(x).(type) {
	case float32:
		return cmp.Compare(xv, any(y).(float32))
	case float64:
		return cmp.Compare(xv, any(y).(float64))
	case tensor.F16:
		return cmp.Compare(xv.Float32(), any(y).(tensor.F16).Float32())
	case tensor.BF16:
		return cmp.Compare(xv.Float32(), any(y).(tensor.BF16).Float32())
	case int8:
		return cmp.Compare(xv, any(y).(int8))
	case int16:
		return cmp.Compare(xv, any(y).(int16))
	case int32:
		return cmp.Compare(xv, any(y).(int32))
	case int64:
		return cmp.Compare(xv, any(y).(int64))
	case uint8:
		return cmp.Compare(xv, any(y).(uint8))
	case uint16:
		return cmp.Compare(xv, any(y).(uint16))
	case uint32:
		return cmp.Compare(xv, any(y).(uint32))
	case uint64:
		return cmp.Compare(xv, any(y).(uint64))
	case string:
		return cmp.Compare(xv, any(y).(string))
	case bool:
		yv := any(y).(bool)
		switch {
		case xv == yv:
			return 0
		case yv:
			return -1
		}
		return 1
	}
	return 0
}

// shpGatherPlan simplifies a separable gather: size-1 dims fold into a base
// offset and small inner dims merge so rows are long enough to amortise
// the per-row bookkeeping.
type shpGatherPlan struct {
	out  []int
	maps [][]int
	base int
	// dead: some size-1 dim maps to a negative offset, so every element
	// is the fill value.
	dead bool
}

func shpPlanGather(out []int, maps [][]int) shpGatherPlan {
	p := shpGatherPlan{}
	for k, d := range out {
		if d == 1 {
			if maps[k][0] < 0 {
				p.dead = true
			}
			p.base += maps[k][0]
			continue
		}
		p.out = append(p.out, d)
		p.maps = append(p.maps, maps[k])
	}
	for len(p.out) >= 2 {
		r := len(p.out)
		n0, n1 := p.out[r-2], p.out[r-1]
		if n1 >= 256 || n0*n1 > 1<<16 {
			break
		}
		m0, m1 := p.maps[r-2], p.maps[r-1]
		m := make([]int, n0*n1)
		for i, a := range m0 {
			for j, b := range m1 {
				if a < 0 || b < 0 {
					m[i*n1+j] = -1
				} else {
					m[i*n1+j] = a + b
				}
			}
		}
		p.out = append(p.out[:r-2], n0*n1)
		p.maps = append(p.maps[:r-2], m)
	}
	return p
}

// shpGrain is roughly how many elements one parallel chunk moves.
const shpGrain = 1 << 15

func (shpKitT[T]) gather(dstA, srcA any, out []int, maps [][]int, fillA any) {
	dst, src := dstA.([]T), srcA.([]T)
	var fill T
	if fillA != nil {
		fill = fillA.([]T)[0]
	}
	if len(dst) == 0 {
		return
	}
	p := shpPlanGather(out, maps)
	if p.dead {
		for i := range dst {
			dst[i] = fill
		}
		return
	}
	r := len(p.out)
	if r == 0 {
		dst[0] = src[p.base]
		return
	}
	inner := p.out[r-1]
	last := p.maps[r-1]
	contiguous, hasNeg := last[0] >= 0, false
	for i, m := range last {
		if m < 0 {
			hasNeg, contiguous = true, false
		} else if m != last[0]+i {
			contiguous = false
		}
	}
	rows := len(dst) / inner
	grain := max(1, shpGrain/inner)
	parallel.For(rows, grain, func(lo, hi int) {
		idx := make([]int, r-1)
		rem := lo
		for d := r - 2; d >= 0; d-- {
			idx[d] = rem % p.out[d]
			rem /= p.out[d]
		}
		for row := lo; row < hi; row++ {
			base, bad := p.base, false
			for d := 0; d < r-1; d++ {
				m := p.maps[d][idx[d]]
				if m < 0 {
					bad = true
				}
				base += m
			}
			o := row * inner
			seg := dst[o : o+inner]
			switch {
			case bad:
				for j := range seg {
					seg[j] = fill
				}
			case contiguous:
				copy(seg, src[base+last[0]:base+last[0]+inner])
			case hasNeg:
				for j, m := range last {
					if m < 0 {
						seg[j] = fill
					} else {
						seg[j] = src[base+m]
					}
				}
			default:
				for j, m := range last {
					seg[j] = src[base+m]
				}
			}
			for d := r - 2; d >= 0; d-- {
				idx[d]++
				if idx[d] < p.out[d] {
					break
				}
				idx[d] = 0
			}
		}
	})
}

// shpTransposePlan drops size-1 dims and merges input axes that stay
// neighbours in the output, leaving the smallest equivalent permutation.
func shpTransposePlan(shape, perm []int) (dims, p []int) {
	// keep[i]: new index of input axis i, or -1 when dropped.
	keep := make([]int, len(shape))
	var kept []int
	for i, d := range shape {
		if d == 1 {
			keep[i] = -1
			continue
		}
		keep[i] = len(kept)
		kept = append(kept, d)
	}
	var q []int
	for _, a := range perm {
		if keep[a] >= 0 {
			q = append(q, keep[a])
		}
	}
	// Merge runs q[k], q[k]+1, ... that are consecutive in the output.
	var groups [][2]int // [first input axis, last input axis]
	for _, a := range q {
		if n := len(groups); n > 0 && groups[n-1][1]+1 == a {
			groups[n-1][1] = a
			continue
		}
		groups = append(groups, [2]int{a, a})
	}
	// Renumber groups by their input order.
	order := make([]int, len(groups)) // order[i] = group index with i-th smallest first axis
	for i := range order {
		order[i] = i
	}
	for i := 1; i < len(order); i++ {
		for j := i; j > 0 && groups[order[j]][0] < groups[order[j-1]][0]; j-- {
			order[j], order[j-1] = order[j-1], order[j]
		}
	}
	rank := make([]int, len(groups))
	dims = make([]int, len(groups))
	for newAx, g := range order {
		rank[g] = newAx
		n := 1
		for a := groups[g][0]; a <= groups[g][1]; a++ {
			n *= kept[a]
		}
		dims[newAx] = n
	}
	p = make([]int, len(groups))
	for k := range groups {
		p[k] = rank[k]
	}
	return dims, p
}

const shpTransposeTile = 8

func (shpKitT[T]) transpose(dstA, srcA any, shape, perm []int) {
	dst, src := dstA.([]T), srcA.([]T)
	if len(dst) == 0 {
		return
	}
	dims, p := shpTransposePlan(shape, perm)
	r := len(dims)
	identity := true
	for i, a := range p {
		if a != i {
			identity = false
		}
	}
	if identity {
		copy(dst, src)
		return
	}
	istr := tensor.Strides(dims)
	out := make([]int, r)
	for k, a := range p {
		out[k] = dims[a]
	}
	if p[r-1] == r-1 {
		// Rows stay contiguous: a gather of whole rows.
		maps := make([][]int, r)
		for k, a := range p {
			maps[k] = shpAffine(out[k], 0, 1, istr[a])
		}
		shpKitT[T]{}.gather(dstA, srcA, out, maps, nil)
		return
	}
	ostr := tensor.Strides(out)
	// The output axis q reads the input's contiguous last axis; the
	// output's last axis L reads with stride sL. A work item covers
	// shpTransposeTile positions along q: for each position along L it reads
	// that many contiguous input elements and writes them down a short
	// column of the output, so both sides stream through a handful of
	// cache lines (few enough to avoid set conflicts for power-of-two
	// strides).
	q := 0
	for k, a := range p {
		if a == r-1 {
			q = k
		}
	}
	L := r - 1
	nq, nL := out[q], out[L]
	oq, sL := ostr[q], istr[p[L]]
	// The remaining axes are walked by an odometer.
	var rest, restOut, restIn []int
	for k := 0; k < r; k++ {
		if k != q && k != L {
			rest = append(rest, out[k])
			restOut = append(restOut, ostr[k])
			restIn = append(restIn, istr[p[k]])
		}
	}
	nRest := 1
	for _, d := range rest {
		nRest *= d
	}
	tilesQ := (nq + shpTransposeTile - 1) / shpTransposeTile
	work := nRest * tilesQ
	grain := max(1, shpGrain/max(1, shpTransposeTile*nL))
	parallel.For(work, grain, func(lo, hi int) {
		idx := make([]int, len(rest))
		for w := lo; w < hi; w++ {
			rIdx, tq := w/tilesQ, w%tilesQ
			ob, sb := 0, 0
			rem := rIdx
			for d := len(rest) - 1; d >= 0; d-- {
				idx[d] = rem % rest[d]
				rem /= rest[d]
				ob += idx[d] * restOut[d]
				sb += idx[d] * restIn[d]
			}
			i0, i1 := tq*shpTransposeTile, min(tq*shpTransposeTile+shpTransposeTile, nq)
			for j := 0; j < nL; j++ {
				s := src[sb+j*sL+i0 : sb+j*sL+i1]
				o := ob + i0*oq + j
				for _, v := range s {
					dst[o] = v
					o += oq
				}
			}
		}
	})
}

// shpGather returns a new tensor of shape out with elements of src
// picked by per-axis offset maps (see kit.gather); fill is the value of
// elements with a negative offset (nil: zero).
func shpGather(src *tensor.Tensor, out []int, maps [][]int, fill *tensor.Tensor) (*tensor.Tensor, error) {
	res, err := tensor.Zeros(src.DType(), out...)
	if err != nil {
		return nil, err
	}
	var f any
	if fill != nil {
		f = fill.Raw()
	}
	shpMustKit(src).gather(res.Raw(), src.Raw(), out, maps, f)
	return res, nil
}

// shpAffine returns the offsets start*stride, (start+step)*stride, ... of n
// positions along an axis.
func shpAffine(n, start, step, stride int) []int {
	m := make([]int, n)
	for i := range m {
		m[i] = (start + i*step) * stride
	}
	return m
}

// shpTranspose returns x with its axes permuted (perm must be valid).
func shpTranspose(x *tensor.Tensor, perm []int) *tensor.Tensor {
	shape := x.Shape()
	out := make([]int, len(perm))
	for k, a := range perm {
		out[k] = shape[a]
	}
	res, err := tensor.Zeros(x.DType(), out...)
	if err != nil {
		panic(err) // x exists, so its dtype and size are valid
	}
	shpMustKit(x).transpose(res.Raw(), x.Raw(), shape, perm)
	return res
}

// shpInts reads an integer tensor (a shape, axes, pads or repeats input) as
// int64 values. The result may alias t: do not modify it.
func shpInts(t *tensor.Tensor, what string) ([]int64, error) {
	if t.DType() != tensor.Int64 && t.DType() != tensor.Int32 {
		return nil, errDType("%s must be int64 or int32, got %v", what, t.DType())
	}
	if t.Rank() > 1 {
		return nil, errShape("%s must be a 1-D tensor, got shape %v", what, t.Shape())
	}
	return tensor.Int64s(t)
}

// shpNormAxes maps possibly negative axes into [0, rank) and rejects repeats.
func shpNormAxes(axes []int64, rank int) ([]int, error) {
	out := make([]int, len(axes))
	seen := make([]bool, rank)
	for i, a := range axes {
		n, err := normAxis(a, rank)
		if err != nil {
			return nil, err
		}
		if seen[n] {
			return nil, errShape("axis %d repeats in %v", a, axes)
		}
		seen[n] = true
		out[i] = n
	}
	return out, nil
}

// shpDims converts user-given dims, rejecting negatives and values
// that do not fit an int.
func shpDims(v []int64, what string) ([]int, error) {
	out := make([]int, len(v))
	for i, d := range v {
		if d < 0 || int64(int(d)) != d {
			return nil, errShape("%s has invalid dim %d", what, d)
		}
		out[i] = int(d)
	}
	return out, nil
}

// shpShapeTensor returns dims as a 1-D int64 tensor.
func shpShapeTensor(dims []int) *tensor.Tensor {
	v := make([]int64, len(dims))
	for i, d := range dims {
		v[i] = int64(d)
	}
	return tensor.MustFromSlice([]int{len(v)}, v)
}

// shpReshapeGrad returns the gradient g reshaped to input i's shape (the
// backward of every op that only relabels dims).
func shpReshapeGrad(f *runtime.Forward, g []*tensor.Tensor) ([]*tensor.Tensor, error) {
	out := make([]*tensor.Tensor, len(f.Inputs))
	if f.NeedGrad[0] && g[0] != nil {
		r, err := g[0].Reshape(f.Inputs[0].Shape()...)
		if err != nil {
			return nil, err
		}
		out[0] = r
	}
	return out, nil
}

// shpAccumulate is the backward of a gather along one axis: the result has
// g's shape with dim axis replaced by n, and element j along axis collects
// the sum of g's elements i with idx[i] == j. g must be float32 or float64.
func shpAccumulate(g *tensor.Tensor, axis, n int, idx []int) (*tensor.Tensor, error) {
	shape := append([]int(nil), g.Shape()...)
	shape[axis] = n
	outer := 1
	for _, d := range shape[:axis] {
		outer *= d
	}
	inner := 1
	for _, d := range shape[axis+1:] {
		inner *= d
	}
	switch g.DType() {
	case tensor.Float32:
		out := tensor.Make[float32](shape...)
		shpAccumulateT(tensor.Data[float32](out), tensor.Data[float32](g), outer, inner, n, idx)
		return out, nil
	case tensor.Float64:
		out := tensor.Make[float64](shape...)
		shpAccumulateT(tensor.Data[float64](out), tensor.Data[float64](g), outer, inner, n, idx)
		return out, nil
	}
	return nil, errDType("gradient of dtype %v", g.DType())
}

func shpAccumulateT[T tensor.Float](dst, src []T, outer, inner, n int, idx []int) {
	m := len(idx)
	for o := 0; o < outer; o++ {
		for i, j := range idx {
			d := dst[(o*n+j)*inner : (o*n+j+1)*inner]
			s := src[(o*m+i)*inner : (o*m+i+1)*inner]
			for k, v := range s {
				d[k] += v
			}
		}
	}
}

// shpOptInts reads input i of in as int64s when present.
func shpOptInts(in []*tensor.Tensor, i int, what string) ([]int64, bool, error) {
	if i >= len(in) || in[i] == nil {
		return nil, false, nil
	}
	v, err := shpInts(in[i], what)
	return v, true, err
}

// shpReduction is how a scatter combines an update with the existing value.
type shpReduction int

const (
	shpReduceNone shpReduction = iota
	shpReduceAdd
	shpReduceMul
	shpReduceMax
	shpReduceMin
)

// shpParseReduction reads a scatter reduction attribute value.
func shpParseReduction(b *runtime.BuildContext, s string) shpReduction {
	switch s {
	case "none":
		return shpReduceNone
	case "add":
		return shpReduceAdd
	case "mul":
		return shpReduceMul
	case "max":
		return shpReduceMax
	case "min":
		return shpReduceMin
	}
	b.Errorf("unknown reduction %q", s)
	return shpReduceNone
}

// shpScatter applies the updates src[i] to dst[idx[i]] in order (dst is a
// fresh tensor the caller owns; src has len(idx) elements).
func shpScatter(dst, src *tensor.Tensor, idx []int, op shpReduction) error {
	if op == shpReduceNone {
		shpMustKit(dst).put(dst.Raw(), idx, src.Raw(), 0)
		return nil
	}
	switch d := dst.Raw().(type) {
	case []float32:
		shpReduceAt(d, idx, src.Raw().([]float32), op)
	case []float64:
		shpReduceAt(d, idx, src.Raw().([]float64), op)
	case []int8:
		shpReduceAt(d, idx, src.Raw().([]int8), op)
	case []int16:
		shpReduceAt(d, idx, src.Raw().([]int16), op)
	case []int32:
		shpReduceAt(d, idx, src.Raw().([]int32), op)
	case []int64:
		shpReduceAt(d, idx, src.Raw().([]int64), op)
	case []uint8:
		shpReduceAt(d, idx, src.Raw().([]uint8), op)
	case []uint16:
		shpReduceAt(d, idx, src.Raw().([]uint16), op)
	case []uint32:
		shpReduceAt(d, idx, src.Raw().([]uint32), op)
	case []uint64:
		shpReduceAt(d, idx, src.Raw().([]uint64), op)
	case []tensor.F16, []tensor.BF16:
		df, err := tensor.Convert(dst, tensor.Float32)
		if err != nil {
			return err
		}
		sf, err := tensor.Convert(src, tensor.Float32)
		if err != nil {
			return err
		}
		shpReduceAt(tensor.Data[float32](df), idx, tensor.Data[float32](sf), op)
		back, err := tensor.Convert(df, dst.DType())
		if err != nil {
			return err
		}
		shpMustKit(dst).copyN(dst.Raw(), 0, back.Raw(), 0, dst.Len())
	default:
		return errDType("scatter reduction on %v", dst.DType())
	}
	return nil
}

func shpReduceAt[T tensor.Number](dst []T, idx []int, src []T, op shpReduction) {
	switch op {
	case shpReduceAdd:
		for i, j := range idx {
			dst[j] += src[i]
		}
	case shpReduceMul:
		for i, j := range idx {
			dst[j] *= src[i]
		}
	case shpReduceMax:
		for i, j := range idx {
			dst[j] = max(dst[j], src[i])
		}
	case shpReduceMin:
		for i, j := range idx {
			dst[j] = min(dst[j], src[i])
		}
	}
}

// shpIndices reads an index tensor (int32 or int64), mapping negative
// values into [0, d) and rejecting values outside [-d, d).
func shpIndices(t *tensor.Tensor, d int, what string) ([]int, error) {
	if t.DType() != tensor.Int64 && t.DType() != tensor.Int32 {
		return nil, errDType("%s must be int64 or int32, got %v", what, t.DType())
	}
	v, err := tensor.Int64s(t)
	if err != nil {
		return nil, err
	}
	out := make([]int, len(v))
	for i, x := range v {
		if x < 0 {
			x += int64(d)
		}
		if x < 0 || x >= int64(d) {
			return nil, errShape("%s %d out of range [-%d, %d)", what, v[i], d, d)
		}
		out[i] = int(x)
	}
	return out, nil
}

// shpElementOffsets returns, for every position of a tensor of shape along
// row-major order, Σ_{k != skip} i_k * strides[k] (the offset of the same
// position in a tensor with the given strides, ignoring axis skip).
func shpElementOffsets(shape, strides []int, skip int) []int {
	n := tensor.NumElements(shape)
	out := make([]int, n)
	if n == 0 {
		return out
	}
	r := len(shape)
	idx := make([]int, r)
	off := 0
	for p := range out {
		out[p] = off
		for k := r - 1; k >= 0; k-- {
			idx[k]++
			if k != skip {
				off += strides[k]
			}
			if idx[k] < shape[k] {
				break
			}
			if k != skip {
				off -= strides[k] * shape[k]
			}
			idx[k] = 0
		}
	}
	return out
}

// shpElementsIndex checks that indices (of the same rank as data, no larger
// than data off the axis) fit, and returns each index element's flat
// position in data: the GatherElements / ScatterElements addressing.
func shpElementsIndex(data, ind *tensor.Tensor, axis int64, what string) ([]int, error) {
	r := data.Rank()
	if ind.Rank() != r {
		return nil, errShape("%s indices of rank %d for data of rank %d", what, ind.Rank(), r)
	}
	a, err := normAxis(axis, r)
	if err != nil {
		return nil, err
	}
	for k := 0; k < r; k++ {
		if k != a && ind.Dim(k) > data.Dim(k) {
			return nil, errShape("%s indices shape %v exceeds data shape %v on axis %d", what, ind.Shape(), data.Shape(), k)
		}
	}
	idx, err := shpIndices(ind, data.Dim(a), what+" index")
	if err != nil {
		return nil, err
	}
	ds := tensor.Strides(data.Shape())
	off := shpElementOffsets(ind.Shape(), ds, a)
	for p, j := range idx {
		off[p] += j * ds[a]
	}
	return off, nil
}

package tensor

import "fmt"

// BroadcastShape returns the NumPy-style broadcast of the given shapes:
// shapes are right-aligned and each dim must be equal or 1.
func BroadcastShape(shapes ...[]int) ([]int, error) {
	rank := 0
	for _, s := range shapes {
		rank = max(rank, len(s))
	}
	out := make([]int, rank)
	for i := range out {
		out[i] = 1
	}
	for _, s := range shapes {
		off := rank - len(s)
		for i, d := range s {
			o := out[off+i]
			switch {
			case d == o || d == 1:
			case o == 1:
				out[off+i] = d
			default:
				return nil, fmt.Errorf("cannot broadcast shapes %s: %w", shapesString(shapes), ErrShape)
			}
		}
	}
	return out, nil
}

func shapesString(shapes [][]int) string {
	s := ""
	for i, sh := range shapes {
		if i > 0 {
			s += " and "
		}
		s += ShapeString(sh)
	}
	return s
}

// Broadcaster walks the elements of a broadcast result as rows: maximal runs
// along which every operand advances with a constant step of 0 or 1. It is
// computed once per op call; visiting a row costs one callback, so elementwise
// kernels run tight loops without materialising broadcast copies.
type Broadcaster struct {
	shape  []int   // output shape
	rowLen int     // elements per row
	steps  []int   // per operand: 0 (broadcast) or 1 along the row
	outer  []int   // collapsed outer dims (outermost first)
	stride [][]int // per operand, per outer dim: element stride
	rows   int     // number of rows
}

// NewBroadcaster prepares to iterate the broadcast of operands with the
// given shapes into out (which must be their broadcast shape, or a shape they
// broadcast to).
func NewBroadcaster(out []int, operands ...[]int) (*Broadcaster, error) {
	rank := len(out)
	k := len(operands)
	// Aligned strides of each operand in the output index space.
	st := make([][]int, k)
	for j, s := range operands {
		if len(s) > rank {
			return nil, fmt.Errorf("cannot broadcast %s to %s: %w", ShapeString(s), ShapeString(out), ErrShape)
		}
		st[j] = make([]int, rank)
		off := rank - len(s)
		acc := 1
		for i := len(s) - 1; i >= 0; i-- {
			switch s[i] {
			case out[off+i]:
				if s[i] != 1 {
					st[j][off+i] = acc
				}
			case 1:
			default:
				return nil, fmt.Errorf("cannot broadcast %s to %s: %w", ShapeString(s), ShapeString(out), ErrShape)
			}
			acc *= s[i]
		}
	}
	// Drop size-1 output dims, then merge neighbouring dims that every
	// operand walks contiguously (or not at all).
	var dims []int
	var dst [][]int = make([][]int, k)
	for i := 0; i < rank; i++ {
		if out[i] == 1 {
			continue
		}
		dims = append(dims, out[i])
		for j := range st {
			dst[j] = append(dst[j], st[j][i])
		}
	}
	b := &Broadcaster{shape: out, steps: make([]int, k), stride: make([][]int, k)}
	if NumElements(out) == 0 {
		return b, nil
	}
	// Merge from the innermost dim outwards.
	for len(dims) >= 2 {
		n := len(dims)
		ok := true
		for j := range dst {
			if dst[j][n-2] != dst[j][n-1]*dims[n-1] {
				ok = false
				break
			}
		}
		if !ok {
			break
		}
		dims[n-2] *= dims[n-1]
		dims = dims[:n-1]
		for j := range dst {
			dst[j][n-2] = dst[j][n-1]
			dst[j] = dst[j][:n-1]
		}
	}
	b.rowLen = 1
	if len(dims) > 0 {
		n := len(dims)
		innerOK := true
		for j := range dst {
			if dst[j][n-1] > 1 {
				innerOK = false
			}
		}
		if innerOK {
			b.rowLen = dims[n-1]
			for j := range dst {
				b.steps[j] = dst[j][n-1]
			}
			dims = dims[:n-1]
			for j := range dst {
				dst[j] = dst[j][:n-1]
			}
		}
	}
	b.outer = dims
	b.rows = 1
	for _, d := range dims {
		b.rows *= d
	}
	for j := range dst {
		b.stride[j] = dst[j]
	}
	return b, nil
}

// RowLen returns the number of elements in each row.
func (b *Broadcaster) RowLen() int { return b.rowLen }

// Rows returns the number of rows; Rows()*RowLen() is the output size.
func (b *Broadcaster) Rows() int {
	if b.rowLen == 0 || NumElements(b.shape) == 0 {
		return 0
	}
	return b.rows
}

// Steps returns each operand's step along a row: 0 when the operand is
// broadcast along it, 1 when it advances.
func (b *Broadcaster) Steps() []int { return b.steps }

// ForRows calls fn for rows [lo, hi): out is the output offset of the row's
// first element and in[j] operand j's offset. The in slice is reused
// between calls.
func (b *Broadcaster) ForRows(lo, hi int, fn func(out int, in []int)) {
	k := len(b.steps)
	in := make([]int, k)
	idx := make([]int, len(b.outer))
	// Position the odometer at row lo.
	r := lo
	for d := len(b.outer) - 1; d >= 0; d-- {
		idx[d] = r % b.outer[d]
		r /= b.outer[d]
		for j := 0; j < k; j++ {
			in[j] += idx[d] * b.stride[j][d]
		}
	}
	for row := lo; row < hi; row++ {
		fn(row*b.rowLen, in)
		for d := len(b.outer) - 1; d >= 0; d-- {
			idx[d]++
			for j := 0; j < k; j++ {
				in[j] += b.stride[j][d]
			}
			if idx[d] < b.outer[d] {
				break
			}
			for j := 0; j < k; j++ {
				in[j] -= b.stride[j][d] * b.outer[d]
			}
			idx[d] = 0
		}
	}
}

// Binary computes out[i] = f(a[ia], b[ib]) over the broadcast of aShape and
// bShape, which must match len(out) through outShape. The row kernel gets
// one row at a time with steps 0 or 1 for a and b.
func Binary[A, B, C any](out []C, outShape []int, a []A, aShape []int, b []B, bShape []int,
	row func(dst []C, a []A, sa int, b []B, sb int)) error {
	if SameShape(aShape, outShape) && SameShape(bShape, outShape) {
		row(out, a, 1, b, 1)
		return nil
	}
	bc, err := NewBroadcaster(outShape, aShape, bShape)
	if err != nil {
		return err
	}
	n := bc.rowLen
	sa, sb := bc.steps[0], bc.steps[1]
	bc.ForRows(0, bc.Rows(), func(o int, in []int) {
		row(out[o:o+n], a[in[0]:], sa, b[in[1]:], sb)
	})
	return nil
}

// Map2 is Binary with a per-element function; convenient for ops that are
// not performance-critical. Row steps are handled here.
func Map2[A, B, C any](out []C, outShape []int, a []A, aShape []int, b []B, bShape []int, f func(A, B) C) error {
	return Binary(out, outShape, a, aShape, b, bShape, func(dst []C, a []A, sa int, b []B, sb int) {
		ia, ib := 0, 0
		for i := range dst {
			dst[i] = f(a[ia], b[ib])
			ia += sa
			ib += sb
		}
	})
}

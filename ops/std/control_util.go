package std

import (
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// Helpers of the looping ops (Loop, Scan): slicing one element out of a
// tensor along an axis and stacking per-iteration tensors along a new axis,
// for every dtype.

// ctrlCopyBlocks copies nblk blocks of n elements from src to dst (same
// dtype): block b goes from src[sOff+b*sStride:] to dst[dOff+b*dStride:].
func ctrlCopyBlocks(dst, src *tensor.Tensor, nblk, n, dOff, dStride, sOff, sStride int) {
	switch d := dst.Raw().(type) {
	case []float32:
		ctrlCopyBlocksT(d, src.Raw().([]float32), nblk, n, dOff, dStride, sOff, sStride)
	case []float64:
		ctrlCopyBlocksT(d, src.Raw().([]float64), nblk, n, dOff, dStride, sOff, sStride)
	case []tensor.F16:
		ctrlCopyBlocksT(d, src.Raw().([]tensor.F16), nblk, n, dOff, dStride, sOff, sStride)
	case []tensor.BF16:
		ctrlCopyBlocksT(d, src.Raw().([]tensor.BF16), nblk, n, dOff, dStride, sOff, sStride)
	case []int8:
		ctrlCopyBlocksT(d, src.Raw().([]int8), nblk, n, dOff, dStride, sOff, sStride)
	case []int16:
		ctrlCopyBlocksT(d, src.Raw().([]int16), nblk, n, dOff, dStride, sOff, sStride)
	case []int32:
		ctrlCopyBlocksT(d, src.Raw().([]int32), nblk, n, dOff, dStride, sOff, sStride)
	case []int64:
		ctrlCopyBlocksT(d, src.Raw().([]int64), nblk, n, dOff, dStride, sOff, sStride)
	case []uint8:
		ctrlCopyBlocksT(d, src.Raw().([]uint8), nblk, n, dOff, dStride, sOff, sStride)
	case []uint16:
		ctrlCopyBlocksT(d, src.Raw().([]uint16), nblk, n, dOff, dStride, sOff, sStride)
	case []uint32:
		ctrlCopyBlocksT(d, src.Raw().([]uint32), nblk, n, dOff, dStride, sOff, sStride)
	case []uint64:
		ctrlCopyBlocksT(d, src.Raw().([]uint64), nblk, n, dOff, dStride, sOff, sStride)
	case []bool:
		ctrlCopyBlocksT(d, src.Raw().([]bool), nblk, n, dOff, dStride, sOff, sStride)
	case []string:
		ctrlCopyBlocksT(d, src.Raw().([]string), nblk, n, dOff, dStride, sOff, sStride)
	default:
		panic("ctrlCopyBlocks: unexpected storage")
	}
}

func ctrlCopyBlocksT[T any](dst, src []T, nblk, n, dOff, dStride, sOff, sStride int) {
	for b := 0; b < nblk; b++ {
		copy(dst[dOff+b*dStride:dOff+b*dStride+n], src[sOff+b*sStride:sOff+b*sStride+n])
	}
}

// ctrlTakeAxis returns t[..., i, ...] (index i along axis), one rank lower.
func ctrlTakeAxis(t *tensor.Tensor, axis, i int) (*tensor.Tensor, error) {
	shape := t.Shape()
	outShape := append(append([]int{}, shape[:axis]...), shape[axis+1:]...)
	outer, inner := 1, 1
	for _, d := range shape[:axis] {
		outer *= d
	}
	for _, d := range shape[axis+1:] {
		inner *= d
	}
	out, err := tensor.Zeros(t.DType(), outShape...)
	if err != nil {
		return nil, err
	}
	n := shape[axis]
	ctrlCopyBlocks(out, t, outer, inner, 0, inner, i*inner, n*inner)
	return out, nil
}

// ctrlStackAxis stacks same-shaped, same-dtype tensors along a new axis; when
// reverse, the last tensor comes first.
func ctrlStackAxis(rc *runtime.RunContext, ts []*tensor.Tensor, axis int, reverse bool) (*tensor.Tensor, error) {
	elem := ts[0].Shape()
	dt := ts[0].DType()
	for _, t := range ts[1:] {
		if t.DType() != dt {
			return nil, errDType("iterations produced %v and %v", dt, t.DType())
		}
		if !tensor.SameShape(t.Shape(), elem) {
			return nil, errShape("iterations produced shapes %v and %v", elem, t.Shape())
		}
	}
	if axis < 0 || axis > len(elem) {
		return nil, errShape("axis %d out of range for rank %d", axis, len(elem)+1)
	}
	n := len(ts)
	shape := append(append(append([]int{}, elem[:axis]...), n), elem[axis:]...)
	out, err := rc.Alloc(dt, shape...)
	if err != nil {
		return nil, err
	}
	outer, inner := 1, 1
	for _, d := range elem[:axis] {
		outer *= d
	}
	for _, d := range elem[axis:] {
		inner *= d
	}
	for k, t := range ts {
		pos := k
		if reverse {
			pos = n - 1 - k
		}
		ctrlCopyBlocks(out, t, outer, inner, pos*inner, n*inner, 0, inner)
	}
	return out, nil
}

// emptyScanOutput is the scan output of a loop that ran no iteration: zero
// elements along the scan axis, the element shape as the body declares it
// (a dim the body leaves open becomes 0).
func emptyScanOutput(vi runtime.ValueInfo, axis int) (*tensor.Tensor, error) {
	dt := vi.DType
	if dt == tensor.Undefined {
		dt = tensor.Float32
	}
	elem := make([]int, len(vi.Shape))
	for i, d := range vi.Shape {
		if d.Fixed() {
			elem[i] = int(d.Value)
		}
	}
	if axis < 0 {
		axis += len(elem) + 1
	}
	if axis < 0 || axis > len(elem) {
		axis = 0
	}
	shape := append(append(append([]int{}, elem[:axis]...), 0), elem[axis:]...)
	return tensor.Zeros(dt, shape...)
}

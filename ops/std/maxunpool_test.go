package std

import (
	"errors"
	"math/rand"
	"testing"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestMaxUnpoolInvertsMaxPool(t *testing.T) {
	rng := rand.New(rand.NewSource(22))
	x := randF64(rng, 0, 1, 2, 3, 4, 6)
	attrs := attrsOf(attrInts("kernel_shape", 2, 2), attrInts("strides", 2, 2))
	pooled := runOp(t, "MaxPool", 12, attrs, 2, x)
	y := runOp(t, "MaxUnpool", 11, attrs, 1, pooled[0], pooled[1])[0]
	// Every window keeps its maximum where it was; the rest is zero.
	want := make([]float64, x.Len())
	for i, idx := range tensor.Data[int64](pooled[1]) {
		want[idx] = tensor.Data[float64](pooled[0])[i]
	}
	assertClose(t, y, nnF64Tensor(x.Shape(), want), 0, 0)
	// Pooling the unpooled tensor gives the pooled values back.
	assertClose(t, runOp(t, "MaxPool", 12, attrs, 1, y)[0], pooled[0], 0, 0)
	// A larger output_shape pads at the end: values keep their coordinates.
	y2 := runOp(t, "MaxUnpool", 11, attrs, 1, pooled[0], pooled[1], tensor.MustFromSlice([]int{4}, []int64{2, 3, 5, 7}))[0]
	w2 := make([]float64, 2*3*5*7)
	for i, v := range want {
		c := nnUnravelIdx(i, x.Shape())
		w2[nnRavelIdx(c, []int{2, 3, 5, 7})] = v
	}
	assertClose(t, y2, nnF64Tensor([]int{2, 3, 5, 7}, w2), 0, 0)
	// float32 with padding attributes: inferred (2-1)*2 + 3 - 1 = 4.
	y3 := runOp(t, "MaxUnpool", 11, attrsOf(attrInts("kernel_shape", 3), attrInts("strides", 2), attrInts("pads", 1, 0)), 1,
		tensor.MustFromSlice([]int{1, 1, 2}, []float32{7, 9}), tensor.MustFromSlice([]int{1, 1, 2}, []int64{0, 3}))[0]
	assertClose(t, y3, tensor.MustFromSlice([]int{1, 1, 4}, []float32{7, 0, 0, 9}), 0, 0)
}

func TestMaxUnpoolErrors(t *testing.T) {
	attrs := attrsOf(attrInts("kernel_shape", 2), attrInts("strides", 2))
	x := tensor.MustFromSlice([]int{1, 1, 2}, []float32{1, 2})
	cases := []struct {
		in    []*tensor.Tensor
		attrs []runtime.Attribute
		want  error
	}{
		{[]*tensor.Tensor{x, tensor.MustFromSlice([]int{1, 1, 2}, []int64{0, 4})}, attrs, tensor.ErrShape},  // index out of range
		{[]*tensor.Tensor{x, tensor.MustFromSlice([]int{1, 1, 2}, []int64{-1, 0})}, attrs, tensor.ErrShape}, // negative
		{[]*tensor.Tensor{x, tensor.MustFromSlice([]int{2}, []int64{0, 1})}, attrs, tensor.ErrShape},        // index shape
		{[]*tensor.Tensor{x, tensor.MustFromSlice([]int{1, 1, 2}, []int32{0, 1})}, attrs, tensor.ErrShape},  // index dtype
		{[]*tensor.Tensor{x, tensor.MustFromSlice([]int{1, 1, 2}, []int64{0, 1}), tensor.MustFromSlice([]int{3}, []int64{1, 1, 3})}, attrs, tensor.ErrShape},
		{[]*tensor.Tensor{x, tensor.MustFromSlice([]int{1, 1, 2}, []int64{0, 1}), tensor.MustFromSlice([]int{2}, []int64{1, 1})}, attrs, tensor.ErrShape},
		{[]*tensor.Tensor{tensor.MustFromSlice([]int{1, 1, 2}, []int32{1, 2}), tensor.MustFromSlice([]int{1, 1, 2}, []int64{0, 1})}, attrs, tensor.ErrDType},
		{[]*tensor.Tensor{x, tensor.MustFromSlice([]int{1, 1, 2}, []int64{0, 1}), tensor.MustFromSlice([]int{3}, []int64{1, 1, 1 << 40})}, attrs, runtime.ErrTooLarge},
	}
	for i, c := range cases {
		if err := runOpErr("MaxUnpool", 11, c.attrs, 1, c.in...); !errors.Is(err, c.want) {
			t.Errorf("case %d: got %v, want %v", i, err, c.want)
		}
	}
	if err := runOpErr("MaxUnpool", 11, nil, 1, x, tensor.MustFromSlice([]int{1, 1, 2}, []int64{0, 1})); !errors.Is(err, runtime.ErrInvalidGraph) {
		t.Errorf("no kernel_shape: %v", err)
	}
}

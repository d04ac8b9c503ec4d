package std

import (
	"errors"
	"testing"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// TestDenseOpsRejectOddInputsWithoutPanic feeds the dense ops empty dims,
// mismatched ranks and odd attributes: each must either succeed or return
// an error, never panic (a panic surfaces as runtime.ErrInternal).
func TestDenseOpsRejectOddInputsWithoutPanic(t *testing.T) {
	f := tensor.Make[float32]
	u := tensor.Make[uint8]
	type call struct {
		op    string
		ver   int
		attrs []runtime.Attribute
		nout  int
		in    []*tensor.Tensor
	}
	k1 := attrInts("kernel_shape", 1, 1)
	k2 := attrInts("kernel_shape", 2, 2)
	calls := []call{
		{"MatMul", 13, nil, 1, []*tensor.Tensor{f(0, 3), f(3, 0)}},
		{"MatMul", 13, nil, 1, []*tensor.Tensor{f(2, 0, 3), f(0, 3, 4)}},
		{"MatMul", 13, nil, 1, []*tensor.Tensor{f(0), f(0)}},
		{"Gemm", 13, nil, 1, []*tensor.Tensor{f(0, 0), f(0, 0)}},
		{"Gemm", 13, attrsOf(attrInt("transA", 1)), 1, []*tensor.Tensor{f(3, 0), f(3, 2), f(0, 2)}},
		{"Conv", 11, nil, 1, []*tensor.Tensor{f(0, 2, 4, 4), f(3, 2, 2, 2)}},
		{"Conv", 11, nil, 1, []*tensor.Tensor{f(1, 0, 4, 4), f(3, 0, 2, 2)}},
		{"Conv", 11, nil, 1, []*tensor.Tensor{f(1, 2, 4, 4), f(0, 2, 2, 2)}},
		{"Conv", 11, nil, 1, []*tensor.Tensor{f(1, 2, 0, 4), f(3, 2, 1, 1)}},
		{"Conv", 11, attrsOf(attrString("auto_pad", "SAME_UPPER")), 1, []*tensor.Tensor{f(1, 2, 0, 4), f(3, 2, 2, 2)}},
		{"Conv", 11, attrsOf(attrInts("pads", 5, 5, 5, 5)), 1, []*tensor.Tensor{f(1, 1, 1, 1), f(1, 1, 2, 2)}},
		{"Conv", 11, attrsOf(attrInt("group", 3)), 1, []*tensor.Tensor{f(1, 2, 4, 4), f(3, 1, 2, 2)}},
		{"Conv", 11, nil, 1, []*tensor.Tensor{f(1, 2, 4, 4), f(3, 2, 0, 2)}},
		{"ConvTranspose", 11, nil, 1, []*tensor.Tensor{f(0, 2, 4, 4), f(2, 3, 2, 2)}},
		{"ConvTranspose", 11, nil, 1, []*tensor.Tensor{f(1, 2, 0, 4), f(2, 3, 2, 2)}},
		{"ConvTranspose", 11, attrsOf(attrInts("output_shape", 0, 0)), 1, []*tensor.Tensor{f(1, 2, 3, 3), f(2, 3, 2, 2)}},
		{"ConvTranspose", 11, attrsOf(attrInts("output_shape", 100, 100)), 1, []*tensor.Tensor{f(1, 2, 3, 3), f(2, 3, 2, 2)}},
		{"ConvTranspose", 11, attrsOf(attrInt("group", 2)), 1, []*tensor.Tensor{f(1, 3, 3, 3), f(3, 1, 2, 2)}},
		{"MaxPool", 12, attrsOf(k2), 2, []*tensor.Tensor{f(0, 0, 4, 4)}},
		{"MaxPool", 12, attrsOf(k1, attrInts("pads", 3, 3, 3, 3)), 2, []*tensor.Tensor{f(1, 1, 2, 2)}},
		{"MaxPool", 12, attrsOf(k2), 1, []*tensor.Tensor{u(1, 1, 2, 2)}},
		{"AveragePool", 11, attrsOf(k1, attrInts("pads", 2, 2, 2, 2)), 1, []*tensor.Tensor{f(1, 1, 1, 1)}},
		{"AveragePool", 11, attrsOf(k2, attrString("auto_pad", "SAME_LOWER")), 1, []*tensor.Tensor{f(1, 1, 0, 3)}},
		{"LpPool", 11, attrsOf(k2), 1, []*tensor.Tensor{f(2, 0, 3, 3)}},
		{"GlobalAveragePool", 1, nil, 1, []*tensor.Tensor{f(1, 2, 0)}},
		{"GlobalMaxPool", 1, nil, 1, []*tensor.Tensor{f(0, 2, 3)}},
		{"GlobalAveragePool", 1, nil, 1, []*tensor.Tensor{f(2, 3)}},
		{"LRN", 13, attrsOf(attrInt("size", 100)), 1, []*tensor.Tensor{f(1, 0, 2)}},
		{"Einsum", 12, attrsOf(attrString("equation", "ij,jk->ik")), 1, []*tensor.Tensor{f(0, 3), f(3, 0)}},
		{"Einsum", 12, attrsOf(attrString("equation", "...,...->...")), 1, []*tensor.Tensor{f(), f(2)}},
		{"Einsum", 12, attrsOf(attrString("equation", "ii->")), 1, []*tensor.Tensor{f(0, 0)}},
		{"Einsum", 12, attrsOf(attrString("equation", "->")), 1, []*tensor.Tensor{f()}},
		{"MatMulInteger", 10, nil, 1, []*tensor.Tensor{u(0, 2), u(2, 0)}},
		{"ConvInteger", 10, nil, 1, []*tensor.Tensor{u(1, 1, 0, 2), u(1, 1, 1, 1)}},
		{"QuantizeLinear", 13, nil, 1, []*tensor.Tensor{f(0), tensor.Scalar(float32(0))}},
		{"QuantizeLinear", 13, attrsOf(attrInt("axis", 5)), 1, []*tensor.Tensor{f(2, 2), f(2)}},
		{"DequantizeLinear", 13, attrsOf(attrInt("axis", -3)), 1, []*tensor.Tensor{u(2, 2), f(2)}},
		{"DynamicQuantizeLinear", 11, nil, 3, []*tensor.Tensor{f(0, 3)}},
		{"MaxUnpool", 11, attrsOf(k2), 1, []*tensor.Tensor{f(1, 1, 0, 0), tensor.Make[int64](1, 1, 0, 0)}},
		{"Det", 11, nil, 1, []*tensor.Tensor{f(0, 0)}},
		{"Det", 11, nil, 1, []*tensor.Tensor{f(3, 0, 0)}},
	}
	// Hostile attributes: a huge output is refused before any table is
	// built; a huge kernel with a huge stride stays cheap.
	if err := runOpErr("MaxPool", 12, attrsOf(attrInts("kernel_shape", 1), attrInts("pads", 1<<31, 1<<31)), 1, f(1, 1, 2)); !errors.Is(err, runtime.ErrTooLarge) {
		t.Errorf("huge pads: %v", err)
	}
	y := runOp(t, "AveragePool", 11, attrsOf(attrInts("kernel_shape", 1<<30), attrInts("strides", 1<<30), attrInts("pads", 1<<30, 1<<30), attrInt("count_include_pad", 1)), 1, tensor.MustFromSlice([]int{1, 1, 2}, []float32{1, 2}))[0]
	if d := tensor.Data[float32](y); len(d) != 2 || d[0] != 0 || d[1] != 3/float32(1<<30) {
		t.Errorf("huge kernel: %v", d)
	}
	for _, c := range calls {
		if err := runOpErr(c.op, c.ver, c.attrs, c.nout, c.in...); errors.Is(err, runtime.ErrInternal) {
			t.Errorf("%s%v: %v", c.op, c.in, err)
		}
	}
}

package std

import (
	"errors"
	"testing"

	"github.com/optnet-go/optnet/runtime/tensor"
)

func melRun(t *testing.T, m, dft, rate int64, lo, hi float32) *tensor.Tensor {
	t.Helper()
	return runOp(t, "MelWeightMatrix", 17, attrsOf(attrInt("output_datatype", 11)), 1,
		tensor.Scalar(m), tensor.Scalar(dft), tensor.Scalar(rate), tensor.Scalar(lo), tensor.Scalar(hi))[0]
}

func TestMelWeightMatrix(t *testing.T) {
	// Band points worked out by hand from the definition:
	// 2 bands, dft 8, rate 8, 0–4 Hz: bins 0, 1, 2, 3.
	got := melRun(t, 2, 8, 8, 0, 4)
	assertClose(t, got, tensor.MustFromSlice([]int{5, 2}, []float64{
		0, 0,
		1, 0,
		0, 1,
		0, 0,
		0, 0}), 0, 0)
	// 3 bands, dft 20, rate 1000, 100–450 Hz: bins 2, 3, 4, 6, 7.
	got = melRun(t, 3, 20, 1000, 100, 450)
	want := tensor.Make[float64](11, 3)
	w := tensor.Data[float64](want)
	w[3*3+0] = 1
	w[4*3+1], w[5*3+1] = 1, 0.5
	w[5*3+2], w[6*3+2] = 0.5, 1
	assertClose(t, got, want, 0, 0)
	// Default float output from int32 inputs.
	f := runOp(t, "MelWeightMatrix", 17, nil, 1, tensor.Scalar(int32(2)), tensor.Scalar(int32(8)), tensor.Scalar(int32(8)),
		tensor.Scalar(float32(0)), tensor.Scalar(float32(4)))[0]
	if f.DType() != tensor.Float32 || !tensor.SameShape(f.Shape(), []int{5, 2}) {
		t.Fatalf("default output %v", f)
	}
}

func TestMelWeightMatrixErrors(t *testing.T) {
	s := func(v int64) *tensor.Tensor { return tensor.Scalar(v) }
	f := func(v float32) *tensor.Tensor { return tensor.Scalar(v) }
	cases := [][]*tensor.Tensor{
		{s(0), s(8), s(8), f(0), f(4)},
		{s(2), s(-1), s(8), f(0), f(4)},
		{s(2), s(8), s(8), f(3), f(2)},  // lower above upper
		{s(2), s(8), s(8), f(0), f(40)}, // above Nyquist
	}
	for i, in := range cases {
		if err := runOpErr("MelWeightMatrix", 17, nil, 1, in...); !errors.Is(err, tensor.ErrShape) {
			t.Errorf("case %d: %v", i, err)
		}
	}
	if err := runOpErr("MelWeightMatrix", 17, nil, 1, f(2), s(8), s(8), f(0), f(4)); !errors.Is(err, tensor.ErrDType) {
		t.Errorf("float bin count: %v", err)
	}
}

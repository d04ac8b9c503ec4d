package std

import (
	"errors"
	"testing"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestWindows(t *testing.T) {
	for _, c := range []struct {
		op       string
		size     int64
		periodic int64
		want     []float64
	}{
		{"HannWindow", 4, 1, []float64{0, 0.5, 1, 0.5}},
		{"HannWindow", 5, 0, []float64{0, 0.5, 1, 0.5, 0}},
		{"HammingWindow", 3, 0, []float64{4.0 / 46, 1, 4.0 / 46}},
		{"HammingWindow", 2, 1, []float64{4.0 / 46, 1}},
		{"BlackmanWindow", 4, 1, []float64{0, 0.34, 1, 0.34}},
		{"BlackmanWindow", 3, 0, []float64{0, 1, 0}},
		{"HannWindow", 1, 0, []float64{1}},
		{"HannWindow", 0, 1, []float64{}},
	} {
		got := runOp(t, c.op, 17, attrsOf(attrInt("periodic", c.periodic), attrInt("output_datatype", 11)), 1, tensor.Scalar(c.size))[0]
		assertClose(t, got, tensor.MustFromSlice([]int{len(c.want)}, c.want), 1e-12, 1e-12)
	}
	// Default float output from an int32 size; integer outputs truncate.
	got := runOp(t, "HannWindow", 17, nil, 1, tensor.Scalar(int32(4)))[0]
	if got.DType() != tensor.Float32 {
		t.Fatalf("default dtype %v", got.DType())
	}
	got = runOp(t, "HannWindow", 17, attrsOf(attrInt("output_datatype", 7)), 1, tensor.Scalar(int32(4)))[0]
	if got.DType() != tensor.Int64 || tensor.Data[int64](got)[2] != 1 || tensor.Data[int64](got)[1] != 0 {
		t.Fatalf("int64 window %v", tensor.Data[int64](got))
	}
}

func TestWindowErrors(t *testing.T) {
	if err := runOpErr("HannWindow", 17, nil, 1, tensor.Scalar(int64(-1))); !errors.Is(err, tensor.ErrShape) {
		t.Errorf("negative size: %v", err)
	}
	if err := runOpErr("HammingWindow", 17, nil, 1, tensor.Scalar(float32(3))); !errors.Is(err, tensor.ErrDType) {
		t.Errorf("float size: %v", err)
	}
	if err := runOpErr("BlackmanWindow", 17, attrsOf(attrInt("output_datatype", 8)), 1, tensor.Scalar(int64(3))); !errors.Is(err, runtime.ErrInvalidGraph) {
		t.Errorf("string output: %v", err)
	}
	if err := runOpErr("HannWindow", 17, nil, 1, tensor.Scalar(int64(1)<<40)); !errors.Is(err, tensor.ErrShape) && !errors.Is(err, runtime.ErrTooLarge) {
		t.Errorf("huge size: %v", err)
	}
	if err := runOpErr("HannWindow", 17, nil, 1, tensor.Scalar(int64(1)<<30)); !errors.Is(err, runtime.ErrTooLarge) {
		t.Errorf("huge size: %v", err)
	}
}

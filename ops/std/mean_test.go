package std

import (
	"testing"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestMean(t *testing.T) {
	ewCheckVariadic(t, "Mean", func(v []float64) float64 {
		s := 0.0
		for _, x := range v {
			s += x
		}
		return s / float64(len(v))
	})
	// float16 sums in float32 before rounding: 60000+60000 overflows
	// float16 but their mean does not.
	h := runOp(t, "Mean", 13, nil, 1, tensor.Scalar(tensor.F16From(60000)), tensor.Scalar(tensor.F16From(60000)))[0]
	if v := tensor.Data[tensor.F16](h)[0].Float32(); v != tensor.F16From(60000).Float32() {
		t.Fatalf("float16: %v", v)
	}
	ewExpectErr(t, "int", runOpErr("Mean", 13, nil, 1, tensor.Scalar(int32(1)), tensor.Scalar(int32(2))), tensor.ErrDType)
}

func TestMeanGradient(t *testing.T) { ewGradVariadic(t, "Mean") }

func TestMeanMissingInput(t *testing.T) {
	// The first input is required: the runtime refuses the node.
	ewExpectErr(t, "nil input", runOpErr("Mean", 13, nil, 1, nil, tensor.Scalar(float32(1))), runtime.ErrInvalidGraph)
	ewExpectErr(t, "nil input", runOpErr("Sum", 13, nil, 1, nil, tensor.Scalar(float32(1))), runtime.ErrInvalidGraph)
	// A later variadic input left out is the op's to reject.
	ewExpectErr(t, "nil input", runOpErr("Sum", 13, nil, 1, tensor.Scalar(float32(1)), nil), tensor.ErrShape)
}

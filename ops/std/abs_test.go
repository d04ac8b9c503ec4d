package std

import (
	"math"
	"testing"

	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestAbs(t *testing.T) {
	ewCheckUnary(t, "Abs", 13, nil, math.Abs, -5, 5)
	ewCheckUnarySpecial(t, "Abs", 13, nil, []float64{math.Inf(-1), math.NaN(), -0.0}, []float64{math.Inf(1), math.NaN(), 0})
	neg0 := tensor.Data[float32](runOp(t, "Abs", 13, nil, 1, tensor.Scalar(float32(math.Copysign(0, -1))))[0])[0]
	if math.Signbit(float64(neg0)) {
		t.Fatalf("|-0| should be +0")
	}
	got := runOp(t, "Abs", 13, nil, 1, tensor.MustFromSlice([]int{3}, []int16{-7, 7, math.MinInt16}))[0]
	if d := tensor.Data[int16](got); d[0] != 7 || d[1] != 7 || d[2] != math.MinInt16 {
		t.Fatalf("int16: %v", d)
	}
	u := runOp(t, "Abs", 13, nil, 1, tensor.MustFromSlice([]int{2}, []uint32{0, 4000000000}))[0]
	if d := tensor.Data[uint32](u); d[0] != 0 || d[1] != 4000000000 {
		t.Fatalf("uint32: %v", d)
	}
	ewExpectErr(t, "string", runOpErr("Abs", 13, nil, 1, tensor.Scalar("x")), tensor.ErrDType)
}

func TestAbsGradient(t *testing.T) {
	ewGradUnary(t, "Abs", 13, nil, -2, 2)
	ewGradUnaryF32(t, "Abs", 13, nil, -2, 2)
}

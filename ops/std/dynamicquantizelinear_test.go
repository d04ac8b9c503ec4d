package std

import (
	"errors"
	"math"
	"testing"

	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestDynamicQuantizeLinear(t *testing.T) {
	for _, xs := range [][]float32{
		{0, 2, -3, -2.5, 1.34, 0.5},
		{1, 2.1, 1.3, 2.5, 3.34, 4},       // all positive: min is 0
		{-1, -2.1, -1.3, -2.5, -3.34, -4}, // all negative: max is 0
		{0, 0, 0},                         // zero range
	} {
		x := tensor.MustFromSlice([]int{len(xs)}, xs)
		out := runOp(t, "DynamicQuantizeLinear", 11, nil, 3, x)
		// The definition, in float32 like the reference.
		var lo, hi float32
		for _, v := range xs {
			lo, hi = min(lo, v), max(hi, v)
		}
		scale := (hi - lo) / 255
		zp := 0.0
		if scale != 0 {
			zp = math.Max(0, math.Min(255, math.RoundToEven(float64(-lo/scale))))
		}
		if s := tensor.Data[float32](out[1])[0]; s != scale {
			t.Fatalf("%v: scale %v, want %v", xs, s, scale)
		}
		if z := tensor.Data[uint8](out[2])[0]; float64(z) != zp {
			t.Fatalf("%v: zero point %v, want %v", xs, z, zp)
		}
		for i, v := range xs {
			want := 0.0
			if scale != 0 {
				want = math.Max(0, math.Min(255, math.RoundToEven(float64(v/scale))+zp))
			}
			if got := tensor.Data[uint8](out[0])[i]; float64(got) != want {
				t.Fatalf("%v: y[%d] = %v, want %v", xs, i, got, want)
			}
		}
	}
	if err := runOpErr("DynamicQuantizeLinear", 11, nil, 3, tensor.Make[float64](2)); !errors.Is(err, tensor.ErrDType) {
		t.Fatalf("float64 input: %v", err)
	}
}

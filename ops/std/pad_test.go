package std

import (
	"math/rand"
	"testing"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestPadModes1D(t *testing.T) {
	x := shpF64([]int{4}, 1, 2, 3, 4)
	cases := []struct {
		mode string
		pads []int64
		want []float64
	}{
		{"constant", []int64{2, 1}, []float64{9, 9, 1, 2, 3, 4, 9}},
		{"edge", []int64{2, 1}, []float64{1, 1, 1, 2, 3, 4, 4}},
		{"reflect", []int64{2, 1}, []float64{3, 2, 1, 2, 3, 4, 3}},
		// Reflection keeps bouncing for pads longer than the axis.
		{"reflect", []int64{5, 4}, []float64{2, 3, 4, 3, 2, 1, 2, 3, 4, 3, 2, 1, 2}},
		// Negative pads crop.
		{"constant", []int64{-1, 2}, []float64{2, 3, 4, 9, 9}},
		{"edge", []int64{0, -3}, []float64{1}},
	}
	for _, c := range cases {
		got := runOp(t, "Pad", 13, attrsOf(attrString("mode", c.mode)), 1, x, shpI64(c.pads...), tensor.Scalar(9.0))[0]
		shpWantF64(t, got, []int{len(c.want)}, c.want)
	}
}

func TestPad2DAndVersions(t *testing.T) {
	x := shpF64([]int{2, 2}, 1, 2, 3, 4)
	// Pads: [x1_begin, x2_begin, x1_end, x2_end].
	got := runOp(t, "Pad", 11, nil, 1, x, shpI64(1, 0, 0, 1))[0]
	shpWantF64(t, got, []int{3, 3}, []float64{0, 0, 0, 1, 2, 0, 3, 4, 0})
	got = runOp(t, "Pad", 2, attrsOf(attrInts("pads", 0, 1, 0, 0), attrFloat("value", 1.5)), 1, x)[0]
	shpWantF64(t, got, []int{2, 3}, []float64{1.5, 1, 2, 1.5, 3, 4})
	got = runOp(t, "Pad", 1, attrsOf(attrInts("paddings", 0, 0, 1, 0), attrString("mode", "edge")), 1, x)[0]
	shpWantF64(t, got, []int{3, 2}, []float64{1, 2, 3, 4, 3, 4})
	// Integers with a constant value.
	xi := tensor.MustFromSlice([]int{2}, []int32{5, 6})
	gi := runOp(t, "Pad", 13, nil, 1, xi, shpI64(1, 1), tensor.Scalar(int32(-1)))[0]
	if d := tensor.Data[int32](gi); len(d) != 4 || d[0] != -1 || d[1] != 5 || d[3] != -1 {
		t.Fatalf("int pad %v", d)
	}
}

func TestPadErrors(t *testing.T) {
	x := shpIota(2, 2)
	shpWantErr(t, runOpErr("Pad", 13, nil, 1, x, shpI64(1, 1)), tensor.ErrShape)
	shpWantErr(t, runOpErr("Pad", 13, nil, 1, x, shpI64(-3, 0, 0, 0)), tensor.ErrShape)
	shpWantErr(t, runOpErr("Pad", 13, nil, 1, x, shpI64(1, 0, 0, 0), tensor.Scalar(float32(1))), tensor.ErrDType)
	shpWantErr(t, runOpErr("Pad", 13, nil, 1, x, shpI64(1_000_000, 1_000_000, 1_000_000, 1_000_000)), runtime.ErrTooLarge)
	shpWantErr(t, runOpErr("Pad", 13, attrsOf(attrString("mode", "edge")), 1, tensor.Make[float64](0, 2), shpI64(1, 0, 0, 0)), tensor.ErrShape)
	shpWantErr(t, runOpErr("Pad", 13, attrsOf(attrString("mode", "wrap")), 1, x, shpI64(0, 0, 0, 0)), runtime.ErrInvalidGraph)
}

func TestPadInferShapes(t *testing.T) {
	k := &padKernel{}
	shpWantShape(t, shpInfer(t, k, shpFact(tensor.Float32, 2, -1), runtime.FactOf(shpI64(1, 1, 2, 0)))[0], 5, -1)
}

func TestPadGradient(t *testing.T) {
	rng := rand.New(rand.NewSource(11))
	x := randF64(rng, -1, 1, 3, 4)
	for _, mode := range []string{"constant", "edge", "reflect"} {
		gradCheck(t, "Pad", 13, attrsOf(attrString("mode", mode)), []*tensor.Tensor{x, shpI64(2, -1, 5, 3)}, 0)
	}
}

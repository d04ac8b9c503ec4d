package std

import (
	"math"
	"math/rand"
	"testing"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// shpNaiveSlice1D is the spec's slicing of one axis by stepping: like Python's
// x[start:end:step] except that for a negative step the adjusted start is
// clamped to [0, d-1] (Python clamps it to [-1, d-1]).
func shpNaiveSlice1D(d int, start, end, step int64) []int {
	norm := func(v int64, lo, hi int64) int64 {
		if v < 0 {
			v += int64(d)
		}
		return min(max(v, lo), hi)
	}
	var out []int
	// Steps beyond the axis end the walk (and keep i from overflowing).
	if step > 0 {
		for i, e := norm(start, 0, int64(d)), norm(end, 0, int64(d)); i < e; i += min(step, int64(d)+1) {
			out = append(out, int(i))
		}
	} else {
		for i, e := norm(start, 0, int64(d)-1), norm(end, -1, int64(d)-1); i > e; i += max(step, -int64(d)-1) {
			out = append(out, int(i))
		}
	}
	return out
}

func TestSliceMatchesSteppingDefinition(t *testing.T) {
	const d = 7
	x := shpIota(d)
	vals := []int64{math.MinInt64, -100, -8, -7, -3, -1, 0, 1, 3, 6, 7, 9, math.MaxInt64}
	for _, s := range vals {
		for _, e := range vals {
			for _, st := range []int64{1, 2, 3, 10, -1, -2, -5, math.MinInt64, math.MaxInt64} {
				want := shpNaiveSlice1D(d, s, e, st)
				got := runOp(t, "Slice", 13, nil, 1, x, shpI64(s), shpI64(e), shpI64(0), shpI64(st))[0]
				w := make([]float64, len(want))
				for i, v := range want {
					w[i] = float64(v)
				}
				if got.Len() != len(w) {
					t.Fatalf("[%d:%d:%d] got %v, want %v", s, e, st, tensor.Data[float64](got), w)
				}
				shpWantF64(t, got, []int{len(w)}, w)
			}
		}
	}
}

func TestSliceAxesAndVersions(t *testing.T) {
	x := shpIota(3, 4)
	// Default axes and steps.
	shpWantF64(t, runOp(t, "Slice", 13, nil, 1, x, shpI64(1, 1), shpI64(3, 3))[0], []int{2, 2}, []float64{5, 6, 9, 10})
	// A negative axis with a negative step.
	shpWantF64(t, runOp(t, "Slice", 13, nil, 1, x, shpI64(-1), shpI64(math.MinInt64), shpI64(-1), shpI64(-2))[0],
		[]int{3, 2}, []float64{3, 1, 7, 5, 11, 9})
	// int32 arguments.
	i32 := func(v ...int32) *tensor.Tensor { return tensor.MustFromSlice([]int{len(v)}, v) }
	shpWantF64(t, runOp(t, "Slice", 13, nil, 1, x, i32(2), i32(3), i32(0))[0], []int{1, 4}, []float64{8, 9, 10, 11})
	// Opset 1: attributes.
	got := runOp(t, "Slice", 1, attrsOf(attrInts("starts", 0, 1), attrInts("ends", 1, 1000), attrInts("axes", 0, 1)), 1, x)[0]
	shpWantF64(t, got, []int{1, 3}, []float64{1, 2, 3})
	// An empty result.
	got = runOp(t, "Slice", 13, nil, 1, x, shpI64(3), shpI64(1), shpI64(1))[0]
	if !tensor.SameShape(got.Shape(), []int{3, 0}) {
		t.Fatalf("empty slice %v", got)
	}
}

func TestSliceErrors(t *testing.T) {
	x := shpIota(3, 4)
	shpWantErr(t, runOpErr("Slice", 13, nil, 1, x, shpI64(0), shpI64(1), shpI64(0), shpI64(0)), tensor.ErrShape)
	shpWantErr(t, runOpErr("Slice", 13, nil, 1, x, shpI64(0, 0), shpI64(1)), tensor.ErrShape)
	shpWantErr(t, runOpErr("Slice", 13, nil, 1, x, shpI64(0, 0), shpI64(1, 1), shpI64(1, -1)), tensor.ErrShape)
	shpWantErr(t, runOpErr("Slice", 13, nil, 1, x, shpI64(0), shpI64(1), shpI64(2)), tensor.ErrShape)
	shpWantErr(t, runOpErr("Slice", 13, nil, 1, x, shpI64(0, 0, 0), shpI64(1, 1, 1)), tensor.ErrShape)
	shpWantErr(t, runOpErr("Slice", 13, nil, 1, x, shpF64([]int{1}, 0), shpI64(1)), tensor.ErrDType)
	shpWantErr(t, runOpErr("Slice", 1, nil, 1, x), runtime.ErrInvalidGraph)
}

func TestSliceInferShapes(t *testing.T) {
	k := &sliceKernel{}
	out := shpInfer(t, k, shpFact(tensor.Float32, 10, -1, 5), runtime.FactOf(shpI64(1, 0)), runtime.FactOf(shpI64(-1, 2)),
		runtime.FactOf(shpI64(0, 1)), runtime.FactOf(shpI64(3, 1)))[0]
	shpWantShape(t, out, 3, -1, 5)
	out = shpInfer(t, k, shpFact(tensor.Float32, 10, 4), shpFact(tensor.Int64, 1), runtime.FactOf(shpI64(2)))[0]
	shpWantShape(t, out, -1, -1)
}

func TestSliceGradient(t *testing.T) {
	rng := rand.New(rand.NewSource(8))
	x := randF64(rng, -1, 1, 4, 5, 3)
	gradCheck(t, "Slice", 13, nil, []*tensor.Tensor{x, shpI64(1, -1), shpI64(4, 0), shpI64(0, 1), shpI64(2, -2)}, 0)
	gradCheck(t, "Slice", 13, nil, []*tensor.Tensor{x, shpI64(0), shpI64(2), shpI64(-1)}, 0)
	gradCheck(t, "Slice", 1, attrsOf(attrInts("starts", 1), attrInts("ends", 3)), []*tensor.Tensor{x}, 0)
}

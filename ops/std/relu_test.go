package std

import (
	"context"
	"math"
	"math/rand"
	"testing"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// TestReluBackwardMask: the gradient passes exactly where x > 0 — not at
// ±0, negative values or NaN — for both float types, whatever the
// upstream gradient holds (Inf and NaN included).
func TestReluBackwardMask(t *testing.T) {
	xs := []float64{-2, -0.0, 0, 1e-300, 3, math.Inf(1), math.Inf(-1), math.NaN(), 5e-40, -5e-40}
	gs := []float64{1, 2, 3, 4, 5, 6, math.Inf(1), math.NaN(), 9, math.NaN()}
	for _, dt := range []tensor.DType{tensor.Float32, tensor.Float64} {
		x, _ := tensor.Convert(tensor.MustFromSlice([]int{len(xs)}, xs), dt)
		g, _ := tensor.Convert(tensor.MustFromSlice([]int{len(gs)}, gs), dt)
		ctx := context.Background()
		f, k, err := runtime.RunNode(ctx, testRegistry(), opNode("Relu", []*tensor.Tensor{x}, 1), 14, []*tensor.Tensor{x}, runtime.RunOptions{})
		if err != nil {
			t.Fatal(err)
		}
		grads, err := runtime.BackwardNode(ctx, k, f, []*tensor.Tensor{g}, []bool{true}, runtime.RunOptions{})
		if err != nil {
			t.Fatal(err)
		}
		got, _ := tensor.Float64s(grads[0])
		xv, _ := tensor.Float64s(x) // as stored (5e-40 is 0 or subnormal in float32)
		gv, _ := tensor.Float64s(g)
		for i := range got {
			want := 0.0
			if xv[i] > 0 {
				want = gv[i]
			}
			if math.Float64bits(got[i]) != math.Float64bits(want) && !(math.IsNaN(got[i]) && math.IsNaN(want)) {
				t.Errorf("%v: x=%v g=%v: gradient %v, want %v", dt, xv[i], gv[i], got[i], want)
			}
		}
	}
}

// TestReluForwardSpecial: max(x, 0) with NaN propagated and both zeros
// mapped to +0, for both float types.
func TestReluForwardSpecial(t *testing.T) {
	xs := []float64{-2, math.Copysign(0, -1), 0, 1e-300, 3, math.Inf(1), math.Inf(-1), math.NaN()}
	want := []float64{0, 0, 0, 1e-300, 3, math.Inf(1), 0, math.NaN()}
	for _, dt := range []tensor.DType{tensor.Float32, tensor.Float64} {
		x, _ := tensor.Convert(tensor.MustFromSlice([]int{len(xs)}, xs), dt)
		w, _ := tensor.Convert(tensor.MustFromSlice([]int{len(want)}, want), dt)
		got, _ := tensor.Float64s(runOp(t, "Relu", 14, nil, 1, x)[0])
		wv, _ := tensor.Float64s(w)
		for i := range got {
			if math.Float64bits(got[i]) != math.Float64bits(wv[i]) && !(math.IsNaN(got[i]) && math.IsNaN(wv[i])) {
				t.Errorf("%v: relu(%v) = %v, want %v", dt, xs[i], got[i], wv[i])
			}
		}
	}
}

func BenchmarkReluBackward(b *testing.B) {
	// Random signs, as in a network (a periodic pattern would let the
	// branch predictor learn it).
	rng := rand.New(rand.NewSource(1))
	x := tensor.Make[float32](1 << 20)
	g := tensor.Make[float32](1 << 20)
	for i := range tensor.Data[float32](x) {
		tensor.Data[float32](x)[i] = float32(rng.NormFloat64())
		tensor.Data[float32](g)[i] = 1
	}
	b.SetBytes(3 * 4 << 20)
	for i := 0; i < b.N; i++ {
		maskGrad(tensor.Data[float32](x), g)
	}
}

func BenchmarkReluForward(b *testing.B) {
	rng := rand.New(rand.NewSource(1))
	x := tensor.Make[float32](1 << 20)
	for i := range tensor.Data[float32](x) {
		tensor.Data[float32](x)[i] = float32(rng.NormFloat64())
	}
	b.SetBytes(2 * 4 << 20)
	for i := 0; i < b.N; i++ {
		runOp(b, "Relu", 14, nil, 1, x)
	}
}

package std

import (
	"errors"
	"math"
	"math/rand"
	"testing"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// refLayerNorm normalises rows of length m (x viewed as outer × m) and
// applies s and b (length m, nil b = 0); it returns Y, Mean, InvStdDev.
func refLayerNorm(x []float64, m int, s, b []float64, eps float64) (y, mean, inv []float64) {
	outer := len(x) / m
	y = make([]float64, len(x))
	for o := 0; o < outer; o++ {
		row := x[o*m : (o+1)*m]
		mu := 0.0
		for _, v := range row {
			mu += v
		}
		mu /= float64(m)
		va := 0.0
		for _, v := range row {
			va += (v - mu) * (v - mu)
		}
		va /= float64(m)
		iv := 1 / math.Sqrt(va+eps)
		mean, inv = append(mean, mu), append(inv, iv)
		for i, v := range row {
			y[o*m+i] = (v - mu) * iv * s[i]
			if b != nil {
				y[o*m+i] += b[i]
			}
		}
	}
	return y, mean, inv
}

func TestLayerNormAxes(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	shape := []int{2, 3, 4}
	x := randF64(rng, -2, 2, shape...)
	for axis := -3; axis < 3; axis++ {
		a := (axis + 3) % 3
		norm := shape[a:]
		m := tensor.NumElements(norm)
		s := randF64(rng, 0.5, 1.5, norm...)
		b := randF64(rng, -1, 1, norm...)
		y, mean, inv := refLayerNorm(tensor.Data[float64](x), m, tensor.Data[float64](s), tensor.Data[float64](b), float64(float32(1e-3)))
		out := runOp(t, "LayerNormalization", 17, attrsOf(attrInt("axis", int64(axis)), attrFloat("epsilon", 1e-3), attrInt("stash_type", 11)), 3, x, s, b)
		assertClose(t, out[0], normF64(shape, y), 1e-12, 1e-12)
		ss := append([]int(nil), shape...)
		for i := a; i < 3; i++ {
			ss[i] = 1
		}
		assertClose(t, out[1], normF64(ss, mean), 1e-12, 1e-12)
		assertClose(t, out[2], normF64(ss, inv), 1e-12, 1e-12)
		if out[1].DType() != tensor.Float64 {
			t.Fatalf("stash_type 11 gave Mean of %v", out[1].DType())
		}
	}
}

func TestLayerNormBroadcastAndTypes(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	x := randF64(rng, -2, 2, 2, 3, 4)
	// Scale (4) broadcast over the normalised dims (3, 4); no bias.
	s := randF64(rng, 0.5, 1.5, 4)
	sFull := make([]float64, 12)
	for i := range sFull {
		sFull[i] = tensor.Data[float64](s)[i%4]
	}
	y, _, _ := refLayerNorm(tensor.Data[float64](x), 12, sFull, nil, float64(float32(1e-5)))
	got := runOp(t, "LayerNormalization", 17, attrsOf(attrInt("axis", 1)), 1, x, s)[0]
	assertClose(t, got, normF64([]int{2, 3, 4}, y), 1e-12, 1e-12)

	// float32 with the default stash type: Mean is float32.
	x32, _ := tensor.Convert(x, tensor.Float32)
	s32, _ := tensor.Convert(s, tensor.Float32)
	out := runOp(t, "LayerNormalization", 17, attrsOf(attrInt("axis", 1)), 3, x32, s32)
	assertClose(t, out[0], normF64([]int{2, 3, 4}, y), 1e-5, 1e-5)
	if out[1].DType() != tensor.Float32 || !tensor.SameShape(out[1].Shape(), []int{2, 1, 1}) {
		t.Fatalf("Mean: %v", out[1])
	}
	// float16 in, float16 out.
	x16, _ := tensor.Convert(x, tensor.Float16)
	s16, _ := tensor.Convert(s, tensor.Float16)
	h := runOp(t, "LayerNormalization", 17, attrsOf(attrInt("axis", 1)), 1, x16, s16)[0]
	if h.DType() != tensor.Float16 {
		t.Fatalf("float16 LayerNormalization gave %v", h.DType())
	}
	assertClose(t, h, normF64([]int{2, 3, 4}, y), 1e-2, 1e-2)
}

func TestLayerNormErrors(t *testing.T) {
	x := tensor.Make[float32](2, 3)
	s := tensor.Make[float32](3)
	cases := []struct {
		name  string
		attrs []runtime.Attribute
		in    []*tensor.Tensor
		want  error
	}{
		{"axis", attrsOf(attrInt("axis", 2)), []*tensor.Tensor{x, s}, tensor.ErrShape},
		{"scale shape", nil, []*tensor.Tensor{x, tensor.Make[float32](4)}, tensor.ErrShape},
		{"scale rank", nil, []*tensor.Tensor{x, tensor.Make[float32](1, 3)}, tensor.ErrShape},
		{"scale dtype", nil, []*tensor.Tensor{x, tensor.Make[float64](3)}, tensor.ErrDType},
		{"int input", nil, []*tensor.Tensor{tensor.Make[int32](2, 3), tensor.Make[int32](3)}, tensor.ErrDType},
		{"stash", attrsOf(attrInt("stash_type", 7)), []*tensor.Tensor{x, s}, runtime.ErrInvalidGraph},
	}
	for _, c := range cases {
		if err := runOpErr("LayerNormalization", 17, c.attrs, 1, c.in...); !errors.Is(err, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, err, c.want)
		}
	}
}

func TestLayerNormGradient(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	for axis := -3; axis < 3; axis++ {
		a := (axis + 3) % 3
		shape := []int{2, 3, 4}
		gradCheck(t, "LayerNormalization", 17, attrsOf(attrInt("axis", int64(axis))),
			[]*tensor.Tensor{randF64(rng, -2, 2, shape...), randF64(rng, 0.5, 1.5, shape[a:]...), randF64(rng, -1, 1, shape[a:]...)}, 0, 1, 2)
	}
	// Broadcast scale and bias: their gradients are summed over the
	// broadcast dims.
	gradCheck(t, "LayerNormalization", 17, attrsOf(attrInt("axis", 1)),
		[]*tensor.Tensor{randF64(rng, -2, 2, 2, 3, 4), randF64(rng, 0.5, 1.5, 1, 4), randF64(rng, -1, 1, 4)}, 0, 1, 2)
	// No bias.
	gradCheck(t, "LayerNormalization", 17, nil, []*tensor.Tensor{randF64(rng, -2, 2, 3, 5), randF64(rng, 0.5, 1.5, 5)}, 0, 1)
	// Mean and InvStdDev reaching the loss too.
	gradCheckOuts(t, "LayerNormalization", 17, attrsOf(attrInt("axis", 1), attrInt("stash_type", 11)), 3, runtime.RunOptions{},
		[]*tensor.Tensor{randF64(rng, -2, 2, 2, 3, 2), randF64(rng, 0.5, 1.5, 3, 2), randF64(rng, -1, 1, 3, 2)}, 0, 1, 2)
}

package std

import (
	"context"
	"errors"
	"math/rand"
	"testing"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestDropoutInference(t *testing.T) {
	x := tensor.MustFromSlice([]int{2, 2}, []float32{1, -2, 3, -4})
	for _, v := range []int{1, 7, 10, 12, 13} {
		out := runOp(t, "Dropout", v, nil, 2, x)
		assertClose(t, out[0], x, 0, 0)
		want := tensor.Bool
		if v < 10 {
			want = tensor.Float32
		}
		if out[1].DType() != want {
			t.Fatalf("opset %d: mask dtype %v, want %v", v, out[1].DType(), want)
		}
		m, _ := tensor.Float64s(out[1])
		for _, b := range m {
			if b != 1 {
				t.Fatalf("opset %d: inference mask %v", v, m)
			}
		}
	}
	// training_mode=false with a ratio: still the identity.
	out := runOp(t, "Dropout", 13, nil, 1, x, tensor.Scalar(float32(0.9)), tensor.Scalar(false))
	assertClose(t, out[0], x, 0, 0)
}

// checkDropped verifies y = x*mask/(1-ratio) and returns the kept fraction.
func checkDropped(t *testing.T, x, y, mask *tensor.Tensor, ratio float64) float64 {
	t.Helper()
	xd, yd := tensor.Data[float64](x), tensor.Data[float64](y)
	md, _ := tensor.Float64s(mask)
	kept := 0
	for i := range xd {
		want := 0.0
		if md[i] == 1 {
			kept++
			want = xd[i] / (1 - ratio)
		}
		if d := yd[i] - want; d > 1e-12 || d < -1e-12 {
			t.Fatalf("element %d: x %v mask %v y %v", i, xd[i], md[i], yd[i])
		}
	}
	return float64(kept) / float64(len(xd))
}

func TestDropoutTraining(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	x := randF64(rng, 1, 2, 100, 100)
	out := runOp(t, "Dropout", 13, nil, 2, x, tensor.Scalar(0.3), tensor.Scalar(true))
	if f := checkDropped(t, x, out[0], out[1], 0.3); f < 0.67 || f > 0.73 {
		t.Fatalf("kept fraction %v, want about 0.7", f)
	}
	// Default ratio 0.5 when only training_mode is given.
	out = runOp(t, "Dropout", 12, nil, 2, x, nil, tensor.Scalar(true))
	if f := checkDropped(t, x, out[0], out[1], 0.5); f < 0.47 || f > 0.53 {
		t.Fatalf("kept fraction %v, want about 0.5", f)
	}
	// A training run drops at every opset; opset 7 reads the ratio
	// attribute and gives a float mask.
	run := func(v int, seed uint64, attrs ...runtime.Attribute) []*tensor.Tensor {
		f, _, err := runtime.RunNode(context.Background(), testRegistry(), opNode("Dropout", []*tensor.Tensor{x}, 2, attrs...), v, []*tensor.Tensor{x}, runtime.RunOptions{Training: true, Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		return f.Outputs
	}
	out = run(7, 1, attrFloat("ratio", 0.2))
	if out[1].DType() != tensor.Float64 {
		t.Fatalf("opset 7 mask dtype %v", out[1].DType())
	}
	if f := checkDropped(t, x, out[0], out[1], float64(float32(0.2))); f < 0.77 || f > 0.83 {
		t.Fatalf("kept fraction %v, want about 0.8", f)
	}
	// The run's seed decides the mask.
	a, b, c := run(13, 5), run(13, 5), run(13, 6)
	assertClose(t, a[0], b[0], 0, 0)
	if same := tensor.Data[bool](a[1]); normEqualBools(same, tensor.Data[bool](c[1])) {
		t.Fatal("different seeds gave the same mask")
	}
	// is_test=1 (opset 6) stays the identity in a training run.
	assertClose(t, run(6, 1, attrInt("is_test", 1))[0], x, 0, 0)
	// ratio 0 keeps everything.
	out = runOp(t, "Dropout", 13, nil, 2, x, tensor.Scalar(0.0), tensor.Scalar(true))
	assertClose(t, out[0], x, 0, 0)
}

func normEqualBools(a, b []bool) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestDropoutErrors(t *testing.T) {
	x := tensor.Make[float32](3)
	on := tensor.Scalar(true)
	cases := []struct {
		name string
		in   []*tensor.Tensor
		want error
	}{
		{"ratio 1", []*tensor.Tensor{x, tensor.Scalar(float32(1)), on}, tensor.ErrShape},
		{"negative ratio", []*tensor.Tensor{x, tensor.Scalar(float32(-0.1)), on}, tensor.ErrShape},
		{"int ratio", []*tensor.Tensor{x, tensor.Scalar(int64(0)), on}, tensor.ErrDType},
		{"vector ratio", []*tensor.Tensor{x, tensor.Make[float32](2), on}, tensor.ErrDType},
		{"int training_mode", []*tensor.Tensor{x, tensor.Scalar(float32(0.5)), tensor.Scalar(int64(1))}, tensor.ErrDType},
		{"int data", []*tensor.Tensor{tensor.Make[int32](3)}, tensor.ErrDType},
	}
	for _, c := range cases {
		if err := runOpErr("Dropout", 13, nil, 1, c.in...); !errors.Is(err, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, err, c.want)
		}
	}
}

func TestDropoutGradient(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	// Training: gradCheck reruns with the same seed, so the same mask.
	gradCheck(t, "Dropout", 13, nil, []*tensor.Tensor{randF64(rng, -1, 1, 4, 5), tensor.Scalar(0.4), tensor.Scalar(true)}, 0)
	// Inference: the identity.
	gradCheck(t, "Dropout", 13, nil, []*tensor.Tensor{randF64(rng, -1, 1, 4, 5)}, 0)
}

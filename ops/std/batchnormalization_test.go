package std

import (
	"context"
	"errors"
	"math"
	"math/rand"
	"testing"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// refBatchNorm normalises x (N, C, S...) per channel with the given
// statistics, or with the batch statistics when mean is nil; it returns Y
// and the statistics used.
func refBatchNorm(x []float64, shape []int, scale, bias, mean, vari []float64, eps float64) (y, bm, bv []float64) {
	n, c := shape[0], shape[1]
	s := len(x) / (n * c)
	at := func(i, ch, j int) int { return (i*c+ch)*s + j }
	if mean == nil {
		mean, vari = make([]float64, c), make([]float64, c)
		for ch := 0; ch < c; ch++ {
			sum := 0.0
			for i := 0; i < n; i++ {
				for j := 0; j < s; j++ {
					sum += x[at(i, ch, j)]
				}
			}
			mean[ch] = sum / float64(n*s)
			q := 0.0
			for i := 0; i < n; i++ {
				for j := 0; j < s; j++ {
					d := x[at(i, ch, j)] - mean[ch]
					q += d * d
				}
			}
			vari[ch] = q / float64(n*s)
		}
	}
	y = make([]float64, len(x))
	for i := 0; i < n; i++ {
		for ch := 0; ch < c; ch++ {
			for j := 0; j < s; j++ {
				p := at(i, ch, j)
				y[p] = (x[p]-mean[ch])/math.Sqrt(vari[ch]+eps)*scale[ch] + bias[ch]
			}
		}
	}
	return y, mean, vari
}

func bnInputs(rng *rand.Rand, shape ...int) []*tensor.Tensor {
	c := shape[1]
	return []*tensor.Tensor{randF64(rng, -2, 2, shape...), randF64(rng, 0.5, 1.5, c), randF64(rng, -1, 1, c),
		randF64(rng, -0.5, 0.5, c), randF64(rng, 0.5, 2, c)}
}

func TestBatchNormInference(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	shape := []int{2, 3, 2, 2}
	in := bnInputs(rng, shape...)
	d := func(i int) []float64 { return tensor.Data[float64](in[i]) }
	eps := float64(float32(1e-3))
	want, _, _ := refBatchNorm(d(0), shape, d(1), d(2), d(3), d(4), eps)
	for _, v := range []int{6, 7, 9, 14, 15} {
		got := runOp(t, "BatchNormalization", v, attrsOf(attrFloat("epsilon", 1e-3)), 1, in...)[0]
		assertClose(t, got, normF64(shape, want), 1e-12, 1e-12)
	}
	// float32 and float16 X; opset 15 lets the parameters keep float64.
	x32, _ := tensor.Convert(in[0], tensor.Float32)
	got := runOp(t, "BatchNormalization", 15, attrsOf(attrFloat("epsilon", 1e-3)), 1, x32, in[1], in[2], in[3], in[4])[0]
	if got.DType() != tensor.Float32 {
		t.Fatalf("Y dtype %v", got.DType())
	}
	assertClose(t, got, normF64(shape, want), 1e-5, 1e-5)
	x16, _ := tensor.Convert(in[0], tensor.Float16)
	got = runOp(t, "BatchNormalization", 15, attrsOf(attrFloat("epsilon", 1e-3)), 1, x16, in[1], in[2], in[3], in[4])[0]
	assertClose(t, got, normF64(shape, want), 1e-2, 1e-2)
	// Rank 2 (N, C).
	in2 := bnInputs(rng, 4, 3)
	want2, _, _ := refBatchNorm(tensor.Data[float64](in2[0]), []int{4, 3}, tensor.Data[float64](in2[1]), tensor.Data[float64](in2[2]), tensor.Data[float64](in2[3]), tensor.Data[float64](in2[4]), float64(float32(1e-5)))
	assertClose(t, runOp(t, "BatchNormalization", 15, nil, 1, in2...)[0], normF64([]int{4, 3}, want2), 1e-12, 1e-12)
}

func TestBatchNormTraining(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	shape := []int{3, 2, 4}
	in := bnInputs(rng, shape...)
	d := func(i int) []float64 { return tensor.Data[float64](in[i]) }
	eps := float64(float32(1e-5))
	mom := float64(float32(0.8))
	want, bm, bv := refBatchNorm(d(0), shape, d(1), d(2), nil, nil, eps)
	rm, rv := make([]float64, 2), make([]float64, 2)
	for c := range rm {
		rm[c] = d(3)[c]*mom + bm[c]*(1-mom)
		rv[c] = d(4)[c]*mom + bv[c]*(1-mom)
	}
	check := func(out []*tensor.Tensor) {
		t.Helper()
		assertClose(t, out[0], normF64(shape, want), 1e-12, 1e-12)
		assertClose(t, out[1], normF64([]int{2}, rm), 1e-12, 1e-12)
		assertClose(t, out[2], normF64([]int{2}, rv), 1e-12, 1e-12)
	}
	attrs := attrsOf(attrFloat("momentum", 0.8), attrInt("training_mode", 1))
	check(runOp(t, "BatchNormalization", 15, attrs, 3, in...))
	// A training run switches a training_mode=0 node to batch statistics.
	f, _, err := runtime.RunNode(context.Background(), testRegistry(), opNode("BatchNormalization", in, 3, attrFloat("momentum", 0.8)), 15, in, runtime.RunOptions{Training: true})
	if err != nil {
		t.Fatal(err)
	}
	check(f.Outputs)
	// Before opset 14, asking for the statistics outputs means training;
	// saved_mean and saved_var are the batch statistics.
	out := runOp(t, "BatchNormalization", 9, attrsOf(attrFloat("momentum", 0.8)), 5, in...)
	check(out)
	assertClose(t, out[3], normF64([]int{2}, bm), 1e-12, 1e-12)
	assertClose(t, out[4], normF64([]int{2}, bv), 1e-12, 1e-12)
	// is_test=1 (opset 6) is inference even then.
	wantInf, _, _ := refBatchNorm(d(0), shape, d(1), d(2), d(3), d(4), eps)
	assertClose(t, runOp(t, "BatchNormalization", 6, attrsOf(attrInt("is_test", 1)), 5, in...)[0], normF64(shape, wantInf), 1e-12, 1e-12)
	// Mixed dtypes (opset 15): running stats take input_mean's dtype.
	x32, _ := tensor.Convert(in[0], tensor.Float32)
	m32, _ := tensor.Convert(in[3], tensor.Float32)
	out = runOp(t, "BatchNormalization", 15, attrs, 3, x32, in[1], in[2], m32, in[4])
	if out[1].DType() != tensor.Float32 || out[2].DType() != tensor.Float64 {
		t.Fatalf("running stats dtypes %v %v", out[1].DType(), out[2].DType())
	}
	assertClose(t, out[0], normF64(shape, want), 1e-5, 1e-5)
}

func TestBatchNormNonSpatial(t *testing.T) {
	// spatial=0 (opset < 9): statistics per (C, H) feature.
	rng := rand.New(rand.NewSource(3))
	x := randF64(rng, -1, 1, 4, 2, 3)
	p := func() *tensor.Tensor { return randF64(rng, 0.5, 1.5, 2, 3) }
	scale, bias, mean, vari := p(), p(), p(), p()
	want, _, _ := refBatchNorm(tensor.Data[float64](x), []int{4, 6}, tensor.Data[float64](scale), tensor.Data[float64](bias), tensor.Data[float64](mean), tensor.Data[float64](vari), float64(float32(1e-5)))
	got := runOp(t, "BatchNormalization", 7, attrsOf(attrInt("spatial", 0)), 1, x, scale, bias, mean, vari)[0]
	assertClose(t, got, normF64([]int{4, 2, 3}, want), 1e-12, 1e-12)
}

func TestBatchNormErrors(t *testing.T) {
	x := tensor.Make[float32](2, 3, 4)
	c3 := tensor.Make[float32](3)
	if err := runOpErr("BatchNormalization", 15, nil, 1, x, tensor.Make[float32](2), c3, c3, c3); !errors.Is(err, tensor.ErrShape) {
		t.Errorf("scale of 2 for 3 channels: %v", err)
	}
	if err := runOpErr("BatchNormalization", 15, nil, 1, tensor.Make[float32](3), c3, c3, c3, c3); !errors.Is(err, tensor.ErrShape) {
		t.Errorf("rank-1 X: %v", err)
	}
	if err := runOpErr("BatchNormalization", 15, nil, 1, tensor.Make[int32](2, 3), c3, c3, c3, c3); !errors.Is(err, tensor.ErrDType) {
		t.Errorf("int X: %v", err)
	}
	if err := runOpErr("BatchNormalization", 15, nil, 1, x, tensor.Make[int64](3), c3, c3, c3); !errors.Is(err, tensor.ErrDType) {
		t.Errorf("int scale: %v", err)
	}
	// Empty batch: no NaNs, no panic.
	out := runOp(t, "BatchNormalization", 15, attrsOf(attrInt("training_mode", 1)), 3, tensor.Make[float32](0, 3), c3, c3, c3, c3)
	if out[0].Len() != 0 {
		t.Fatalf("empty batch: %v", out[0])
	}
}

func TestBatchNormGradient(t *testing.T) {
	rng := rand.New(rand.NewSource(4))
	train := attrsOf(attrInt("training_mode", 1), attrFloat("momentum", 0.7))
	// Training: through the batch statistics.
	gradCheck(t, "BatchNormalization", 15, train, bnInputs(rng, 3, 2, 2, 2), 0, 1, 2)
	gradCheck(t, "BatchNormalization", 15, train, bnInputs(rng, 5, 3), 0, 1, 2)
	// ... with the running statistics reaching the loss too.
	gradCheckOuts(t, "BatchNormalization", 15, train, 3, runtime.RunOptions{}, bnInputs(rng, 3, 2, 2), 0, 1, 2, 3, 4)
	// A training run of an opset-9 node.
	gradCheckOuts(t, "BatchNormalization", 9, nil, 1, runtime.RunOptions{Training: true}, bnInputs(rng, 3, 2, 2), 0, 1, 2)
	// Legacy outputs saved_mean / saved_var.
	gradCheckOuts(t, "BatchNormalization", 9, nil, 5, runtime.RunOptions{}, bnInputs(rng, 2, 2, 3), 0, 1, 2, 3, 4)
	// Inference: every input, the given statistics included.
	gradCheck(t, "BatchNormalization", 15, nil, bnInputs(rng, 2, 3, 2), 0, 1, 2, 3, 4)
}

func TestBatchNormUpdatedInputs(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	shape := []int{3, 2, 2}
	in := bnInputs(rng, shape...)
	d := func(i int) []float64 { return tensor.Data[float64](in[i]) }
	_, bm, bv := refBatchNorm(d(0), shape, d(1), d(2), nil, nil, 1e-5)
	mom := float64(float32(0.6))
	rm, rv := make([]float64, 2), make([]float64, 2)
	for c := range rm {
		rm[c] = d(3)[c]*mom + bm[c]*(1-mom)
		rv[c] = d(4)[c]*mom + bv[c]*(1-mom)
	}
	n := opNode("BatchNormalization", in, 1, attrFloat("momentum", 0.6))
	f, k, err := runtime.RunNode(context.Background(), testRegistry(), n, 15, in, runtime.RunOptions{Training: true})
	if err != nil {
		t.Fatal(err)
	}
	su, ok := k.(runtime.StateUpdater)
	if !ok {
		t.Fatal("BatchNormalization is not a runtime.StateUpdater")
	}
	for _, saved := range []bool{true, false} {
		rec := *f
		if !saved {
			rec.Saved = nil // a forward off the gradient path records nothing
		}
		upd := su.UpdatedInputs(&rec)
		if len(upd) != 2 {
			t.Fatalf("saved=%v: updates %v", saved, upd)
		}
		assertClose(t, upd[3], normF64([]int{2}, rm), 1e-12, 1e-12)
		assertClose(t, upd[4], normF64([]int{2}, rv), 1e-12, 1e-12)
	}
	// An inference forward updates nothing.
	f, _, err = runtime.RunNode(context.Background(), testRegistry(), n, 15, in, runtime.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if upd := su.UpdatedInputs(f); len(upd) != 0 {
		t.Fatalf("inference forward updated %v", upd)
	}
}

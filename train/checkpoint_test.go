package train

import (
	"bytes"
	"context"
	"errors"
	"math/rand"
	"testing"

	"github.com/optnet-go/optnet/runtime/tensor"
)

// TestCheckpointResumeEqualsUninterrupted trains 12 steps in one go and
// 5 + checkpoint + restore into a fresh trainer + 7, and wants the same
// bits in every parameter, for each optimizer with state.
func TestCheckpointResumeEqualsUninterrupted(t *testing.T) {
	batches := make([]Batch, 12)
	rng := rand.New(rand.NewSource(3))
	for i := range batches {
		x := tensor.Make[float64](4, 3)
		y := tensor.Make[float64](4, 3)
		for j := range tensor.Data[float64](x) {
			tensor.Data[float64](x)[j] = rng.NormFloat64()
			tensor.Data[float64](y)[j] = rng.NormFloat64()
		}
		batches[i] = Batch{Inputs: map[string]*tensor.Tensor{"x": x}, Target: y}
	}
	ctx := context.Background()
	for _, name := range []string{"sgd", "momentum", "nesterov", "adam", "adamw"} {
		newTrainer := func() *Trainer {
			opt, err := ParseOptimizer(name, 0.01)
			if err != nil {
				t.Fatal(err)
			}
			tr, err := New(affineModel(t), Options{Loss: MSE{}, Optimizer: opt, LR: 0.05, Schedule: StepDecay(4, 0.5)})
			if err != nil {
				t.Fatal(err)
			}
			return tr
		}
		full := newTrainer()
		for _, b := range batches {
			if _, err := full.Step(ctx, b); err != nil {
				t.Fatal(err)
			}
		}
		first := newTrainer()
		for _, b := range batches[:5] {
			if _, err := first.Step(ctx, b); err != nil {
				t.Fatal(err)
			}
		}
		var buf bytes.Buffer
		if err := first.Checkpoint(&buf); err != nil {
			t.Fatal(err)
		}
		resumed := newTrainer()
		if err := resumed.Restore(bytes.NewReader(buf.Bytes())); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if resumed.Steps() != 5 {
			t.Fatalf("%s: restored step %d", name, resumed.Steps())
		}
		for _, b := range batches[5:] {
			if _, err := resumed.Step(ctx, b); err != nil {
				t.Fatal(err)
			}
		}
		for _, p := range full.Params() {
			a, b := tensor.Data[float64](full.Value(p)), tensor.Data[float64](resumed.Value(p))
			for i := range a {
				if a[i] != b[i] {
					t.Fatalf("%s: %s[%d] = %v resumed, %v uninterrupted", name, p, i, b[i], a[i])
				}
			}
		}
		// Restoring the state is what makes them equal: without it the
		// optimizer starts cold and the result differs (except plain SGD).
		if name != "sgd" {
			cold := newTrainer()
			for _, b := range batches[:5] {
				if _, err := cold.Step(ctx, b); err != nil {
					t.Fatal(err)
				}
			}
			opt, _ := ParseOptimizer(name, 0.01)
			cold.opts.Optimizer = opt
			for _, b := range batches[5:] {
				if _, err := cold.Step(ctx, b); err != nil {
					t.Fatal(err)
				}
			}
			if tensor.Data[float64](cold.Value("w"))[0] == tensor.Data[float64](full.Value("w"))[0] {
				t.Fatalf("%s: a cold optimizer gives the same result; the test cannot tell", name)
			}
		}
	}
}

func TestRestoreRejectsMismatch(t *testing.T) {
	tr, err := New(affineModel(t), Options{Loss: MSE{}, Optimizer: &Adam{}})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := tr.Checkpoint(&buf); err != nil {
		t.Fatal(err)
	}
	other, err := New(affineModel(t), Options{Loss: MSE{}, Optimizer: &SGD{}})
	if err != nil {
		t.Fatal(err)
	}
	if err := other.Restore(bytes.NewReader(buf.Bytes())); !errors.Is(err, ErrCheckpoint) {
		t.Fatalf("optimizer mismatch: %v", err)
	}
	frozen, err := New(affineModel(t), Options{Loss: MSE{}, Optimizer: &Adam{}, Freeze: []string{"b"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := frozen.Restore(bytes.NewReader(buf.Bytes())); !errors.Is(err, ErrCheckpoint) {
		t.Fatalf("parameter mismatch: %v", err)
	}
	if err := tr.Restore(bytes.NewReader([]byte("not a checkpoint"))); !errors.Is(err, ErrCheckpoint) {
		t.Fatalf("garbage: %v", err)
	}
}

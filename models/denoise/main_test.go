package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/optnet-go/optnet"
	"github.com/optnet-go/optnet/models/internal/exp"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// TestQuick runs every model in quick mode (60 training signals, batches
// of 15, 3 epochs): the trained models' training loss must fall, TV must
// denoise, and the report, plots, models and sample must be written.
func TestQuick(t *testing.T) {
	dir := t.TempDir()
	var log bytes.Buffer
	if err := run(context.Background(), []string{"-quick", "-out", dir}, &log); err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	res, err := loadResults(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{"fc", "optnet", "tuned-tv"} {
		r := res[m]
		if r == nil {
			t.Fatalf("no result for %s", m)
		}
		want := 12
		if m == "tuned-tv" {
			want = 9 // 15 of the 60 training signals are held out
		}
		if !(r.LastLoss < r.FirstLoss) || r.Steps != want {
			t.Errorf("%s: training loss went from %.4g to %.4g in %d steps\n%s", m, r.FirstLoss, r.LastLoss, r.Steps, log.String())
		}
	}
	trainSet, _ := loadData(true)
	if tv := res["tv"]; tv == nil || !(tv.TrainMSE < 0.5*mse(trainSet.X, trainSet.Y)) || tv.Lambda <= 0 {
		t.Errorf("TV result %+v; the noisy input's MSE is %.4g", tv, mse(trainSet.X, trainSet.Y))
	}
	for _, f := range []string{"RESULTS.md", "curves.png", "signals.png", "tuned_tv_params.png", "tv_lambda.png", "fc.onnx", "optnet.onnx", "tv.onnx", "tuned_tv.onnx", "sample/model.onnx"} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s not written: %v", f, err)
		}
	}
	// The sample runs, and the saved model gives what the report says.
	m, err := optnet.Load(filepath.Join(dir, "sample", "model.onnx"))
	if err != nil {
		t.Fatal(err)
	}
	shape, x, err := exp.ReadNPY(filepath.Join(dir, "sample", "inputs", "noisy.npy"))
	if err != nil {
		t.Fatal(err)
	}
	_, clean, err := exp.ReadNPY(filepath.Join(dir, "sample", "target", "denoised.npy"))
	if err != nil {
		t.Fatal(err)
	}
	out, err := m.Run(context.Background(), map[string]*tensor.Tensor{inputName: exp.F32(shape, x)})
	if err != nil {
		t.Fatal(err)
	}
	y, _ := tensor.Float64s(out[outputName])
	if len(y) != len(x) {
		t.Fatalf("output of %d values for %d inputs", len(y), len(x))
	}
	if a, b := mse64(x, clean), mse64(y, clean); !(b < a) {
		t.Errorf("the tuned TV sample does not denoise: MSE %.4g → %.4g", a, b)
	}
}

func TestTVGraphMatchesDefinition(t *testing.T) {
	// G = [[D, −I], [−D, −I]]: row i of the top block is (Dy)ᵢ − tᵢ.
	g := tvG(firstDifferences())
	if g[0*qpN+0] != -1 || g[0*qpN+1] != 1 || g[0*qpN+sigLen] != -1 {
		t.Fatal("top block")
	}
	r := sigLen - 1
	if g[r*qpN+0] != 1 || g[r*qpN+1] != -1 || g[r*qpN+sigLen] != -1 {
		t.Fatal("bottom block")
	}
	// A constant signal is a fixed point of TV denoising for any λ.
	b, err := buildTV(10, firstDifferences(), true).b.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	m, err := optnet.LoadBytes(b, optnet.Options{})
	if err != nil {
		t.Fatal(err)
	}
	x := make([]float64, 2*sigLen)
	for i := range x {
		x[i] = 42
		if i >= sigLen {
			x[i] = float64(i % 2 * 10)
		}
	}
	out, err := m.Run(context.Background(), map[string]*tensor.Tensor{inputName: exp.F32([]int{2, sigLen}, x)})
	if err != nil {
		t.Fatal(err)
	}
	y, _ := tensor.Float64s(out[outputName])
	for i := 0; i < sigLen; i++ {
		if d := y[i] - 42; d > 1e-3 || d < -1e-3 {
			t.Fatalf("constant signal moved: y[%d] = %v", i, y[i])
		}
	}
	// An alternating 0/10 signal with λ = 10 ≥ the threshold of its
	// differences is flattened to its mean, 5.
	for i := sigLen; i < 2*sigLen; i++ {
		if d := y[i] - 5; d > 1e-3 || d < -1e-3 {
			t.Fatalf("alternating signal: y[%d] = %v, want 5", i-sigLen, y[i])
		}
	}
}

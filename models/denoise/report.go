package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/optnet-go/optnet"
	"github.com/optnet-go/optnet/importer"
	"github.com/optnet-go/optnet/models/internal/exp"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// paper holds the OptNet paper's numbers (Table 2: train / test MSE).
var paper = map[string][2]float64{
	"fc":       {18.5, 29.8},
	"optnet":   {52.9, 53.3},
	"tv":       {16.3, 16.5},
	"tuned-tv": {13.8, 14.4},
}

var titles = map[string]string{
	"fc":       "FC network",
	"optnet":   "Pure OptNet",
	"tv":       "Total variation (TV)",
	"tuned-tv": "OptNet-tuned TV",
}

// sampleCount is how many test signals go into sample/ (what optrun runs).
const sampleCount = 8

// loadResults reads the saved results of the models present.
func loadResults(out string) (map[string]*Result, error) {
	res := map[string]*Result{}
	for _, m := range modelNames {
		var r Result
		err := exp.LoadJSON(filepath.Join(out, "results", fileBase(m)+".json"), &r)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		res[m] = &r
	}
	return res, nil
}

// writeReport rebuilds RESULTS.md, the plots and sample/ from the saved
// results and models.
func writeReport(cfg config) error {
	res, err := loadResults(cfg.out)
	if err != nil {
		return err
	}
	trainSet, testSet := loadData(cfg.quick)
	if err := plotCurves(cfg.out, res); err != nil {
		return err
	}
	if err := plotLambda(cfg.out); err != nil {
		return err
	}
	tv, tuned := filepath.Join(cfg.out, "tv.onnx"), filepath.Join(cfg.out, "tuned_tv.onnx")
	if fileExists(tv) && fileExists(tuned) {
		if err := plotSignals(cfg.out, testSet, tv, tuned); err != nil {
			return err
		}
	}
	if fileExists(tuned) {
		lambda := 0.0
		if r := res["tuned-tv"]; r != nil {
			lambda = r.Lambda
		}
		if err := plotTuned(cfg.out, tuned, lambda); err != nil {
			return err
		}
		if err := writeSample(cfg.out, testSet, tuned); err != nil {
			return err
		}
	}
	return writeMarkdown(cfg, res, mse(trainSet.X, trainSet.Y), mse(testSet.X, testSet.Y))
}

// plotCurves draws the training loss and the test MSE per epoch of the
// trained models, with TV's and the noisy input's test MSE as lines.
func plotCurves(out string, res map[string]*Result) error {
	var trainS, testS []exp.Series
	maxEpoch := 1.0
	for i, m := range []string{"fc", "optnet", "tuned-tv"} {
		h, cols, err := exp.ReadCSV(filepath.Join(out, fileBase(m)+"_log.csv"))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
		ep := exp.Column(h, cols, "epoch")
		trainS = append(trainS, exp.Series{Name: titles[m], X: ep, Y: exp.Column(h, cols, "train_loss"), Style: i})
		testS = append(testS, exp.Series{Name: titles[m], X: ep, Y: exp.Column(h, cols, "test_mse"), Style: i})
		maxEpoch = math.Max(maxEpoch, ep[len(ep)-1])
	}
	if len(testS) == 0 {
		return nil
	}
	if r := res["tv"]; r != nil {
		testS = append(testS, exp.Series{Name: fmt.Sprintf("TV, λ = %g", r.Lambda), X: []float64{0, maxEpoch}, Y: []float64{r.TestMSE, r.TestMSE}, Style: 3, Dashed: true})
		trainS = append(trainS, exp.Series{Name: fmt.Sprintf("TV, λ = %g", r.Lambda), X: []float64{0, maxEpoch}, Y: []float64{r.TrainMSE, r.TrainMSE}, Style: 3, Dashed: true})
	}
	// The tuned TV and TV curves, zoomed in.
	var zoom []exp.Series
	if h, cols, err := exp.ReadCSV(filepath.Join(out, "tuned_tv_log.csv")); err == nil {
		ep := exp.Column(h, cols, "epoch")
		zoom = append(zoom,
			exp.Series{Name: "tuned TV, train loss", X: ep, Y: exp.Column(h, cols, "train_loss"), Style: 2, Dashed: true, Points: true},
			exp.Series{Name: "tuned TV, test MSE", X: ep, Y: exp.Column(h, cols, "test_mse"), Style: 2, Points: true})
		if r := res["tv"]; r != nil {
			last := ep[len(ep)-1]
			zoom = append(zoom,
				exp.Series{Name: "TV, train MSE", X: []float64{0, last}, Y: []float64{r.TrainMSE, r.TrainMSE}, Style: 3, Dashed: true},
				exp.Series{Name: "TV, test MSE", X: []float64{0, last}, Y: []float64{r.TestMSE, r.TestMSE}, Style: 3})
		}
	}
	panels := []exp.Panel{
		{Axes: exp.Axes{Title: "training loss (mean batch MSE of the epoch)", X: "epoch", Y: "MSE", YMin: 10, YMax: 80}, Series: trainS},
		{Axes: exp.Axes{Title: "test MSE (1,000 signals)", X: "epoch", Y: "MSE", YMin: 10, YMax: 80}, Series: testS},
	}
	if len(zoom) > 0 {
		panels = append(panels, exp.Panel{Axes: exp.Axes{Title: "OptNet-tuned TV vs TV (zoom)", X: "epoch", Y: "MSE", YMin: 14, YMax: 17}, Series: zoom})
	}
	return exp.PanelGrid(filepath.Join(out, "curves.png"), panels, len(panels), 5, 4)
}

func plotLambda(out string) error {
	h, cols, err := exp.ReadCSV(filepath.Join(out, "tv_lambda.csv"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	l, v := exp.Column(h, cols, "lambda"), exp.Column(h, cols, "train_search_mse")
	// Sort by λ for the line.
	idx := make([]int, len(l))
	for i := range idx {
		idx[i] = i
	}
	for i := 1; i < len(idx); i++ {
		for j := i; j > 0 && l[idx[j]] < l[idx[j-1]]; j-- {
			idx[j], idx[j-1] = idx[j-1], idx[j]
		}
	}
	x, y := make([]float64, len(l)), make([]float64, len(l))
	for k, i := range idx {
		x[k], y[k] = l[i], v[i]
	}
	return exp.LinePlot(filepath.Join(out, "tv_lambda.png"), exp.Axes{Title: "TV: choice of λ on the training set", X: "λ", Y: "MSE", LogY: true},
		[]exp.Series{{Name: "MSE on the search signals", X: x, Y: y, Points: true}}, 5, 3.5)
}

// predictFile runs an ONNX denoiser file on rows [0, count) of d.
func predictFile(path string, d exp.Data, count int) ([]float32, error) {
	m, err := optnet.Load(path)
	if err != nil {
		return nil, err
	}
	return exp.Predict(context.Background(), m.Run, d.Slice(0, count), count)
}

func plotSignals(out string, test exp.Data, tvPath, tunedPath string) error {
	const count = 4
	tv, err := predictFile(tvPath, test, count)
	if err != nil {
		return err
	}
	tuned, err := predictFile(tunedPath, test, count)
	if err != nil {
		return err
	}
	x := make([]float64, sigLen)
	for i := range x {
		x[i] = float64(i)
	}
	row := func(v []float32, i int) []float64 {
		out := make([]float64, sigLen)
		for j := range out {
			out[j] = float64(v[i*sigLen+j])
		}
		return out
	}
	var panels []exp.Panel
	for i := 0; i < count; i++ {
		clean, noisy := row(test.Y, i), row(test.X, i)
		t, tt := row(tv, i), row(tuned, i)
		panels = append(panels, exp.Panel{
			Axes: exp.Axes{Title: fmt.Sprintf("test signal %d: MSE noisy %.1f, TV %.1f, tuned TV %.1f", i, mse64(noisy, clean), mse64(t, clean), mse64(tt, clean)), X: "t"},
			Series: []exp.Series{
				{Name: "noisy", X: x, Y: noisy, Style: 5},
				{Name: "clean", X: x, Y: clean, Style: 6},
				{Name: "TV", X: x, Y: t, Style: 3, Dashed: true},
				{Name: "OptNet-tuned TV", X: x, Y: tt, Style: 0},
			},
		})
	}
	return exp.PanelGrid(filepath.Join(out, "signals.png"), panels, 2, 6, 3.5)
}

func mse64(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += (a[i] - b[i]) * (a[i] - b[i])
	}
	return s / float64(len(a))
}

// tunedParams reads the learned parameters of the tuned TV model: the
// coupling's numbers a (a₋ₖ … aₖ, a_μ) and the per-row weights w.
func tunedParams(path string) (a, w []float64, err error) {
	m, err := importer.Load(path)
	if err != nil {
		return nil, nil, err
	}
	get := func(name string) ([]float64, error) {
		t := m.Graph.Initializers[name]
		if t == nil {
			return nil, fmt.Errorf("%s has no initializer %s", path, name)
		}
		return tensor.Float64s(t)
	}
	if a, err = get("a"); err != nil {
		return nil, nil, err
	}
	w, err = get("w")
	return a, w, err
}

// plotTuned draws the tuned TV model's learned coupling (a row of A − I
// away from the ends, and a_μ) and per-row penalties λwᵢ
// (tuned_tv_params.png).
func plotTuned(out, tunedPath string, lambda float64) error {
	a, w, err := tunedParams(tunedPath)
	if err != nil {
		return err
	}
	k := (len(a) - 2) / 2
	var ks, as []float64
	for o := -k; o <= k; o++ {
		ks = append(ks, float64(o))
		as = append(as, a[o+k])
	}
	var rows, pen []float64
	for i, v := range w {
		rows = append(rows, float64(i))
		pen = append(pen, lambda*v)
	}
	panels := []exp.Panel{
		{Axes: exp.Axes{Title: fmt.Sprintf("coupling A − I: shift weights a_k (mean weight a_mu = %.3f)", a[len(a)-1]), X: "shift k: (Ax)_i gets a_k x_(i+k)", Y: "a_k"},
			Series: []exp.Series{{Name: "a_k", X: ks, Y: as, Points: true}}},
		{Axes: exp.Axes{Title: "per-row penalty λ w_i of |(Dy)_i|", X: "row i", Y: "λ w_i", LegendBottom: true},
			Series: []exp.Series{
				{Name: "tuned", X: rows, Y: pen, Points: true},
				{Name: fmt.Sprintf("TV (λ = %g)", lambda), X: []float64{0, float64(len(w) - 1)}, Y: []float64{lambda, lambda}, Style: 3, Dashed: true},
			}},
	}
	return exp.PanelGrid(filepath.Join(out, "tuned_tv_params.png"), panels, 2, 5.5, 4)
}

// writeSample writes sample/: the tuned TV model with a few test signals
// (inputs/noisy.npy) and their clean versions (target/denoised.npy), laid
// out like the default model of cmd/optrun.
func writeSample(out string, test exp.Data, tunedPath string) error {
	dir := filepath.Join(out, "sample")
	for _, sub := range []string{"inputs", "target"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			return err
		}
	}
	b, err := os.ReadFile(tunedPath)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "model.onnx"), b, 0o644); err != nil {
		return err
	}
	n := min(sampleCount, test.Len())
	if err := exp.WriteNPY(filepath.Join(dir, "inputs", inputName+".npy"), []int{n, sigLen}, test.X[:n*sigLen]); err != nil {
		return err
	}
	return exp.WriteNPY(filepath.Join(dir, "target", outputName+".npy"), []int{n, sigLen}, test.Y[:n*sigLen])
}

func f2(v float64) string {
	if v == 0 || math.IsNaN(v) {
		return "—"
	}
	return fmt.Sprintf("%.2f", v)
}

func duration(s float64) string {
	switch {
	case s < 120:
		return fmt.Sprintf("%.0f s", s)
	case s < 7200:
		return fmt.Sprintf("%.1f min", s/60)
	}
	return fmt.Sprintf("%.2f h", s/3600)
}

func writeMarkdown(cfg config, res map[string]*Result, noisyTrain, noisyTest float64) error {
	var w strings.Builder
	fmt.Fprintf(&w, "# Signal denoising (OptNet paper, §5.3)\n\n")
	if cfg.quick {
		fmt.Fprintf(&w, "**Quick mode: tiny data, a few steps; the numbers mean nothing.**\n\n")
	}
	fmt.Fprintf(&w, "Data (`Generate(DefaultData)`): 10,000 piecewise-constant signals of length 100 with 1–9 segments,\nheights U[10, 99), Gaussian noise σ = 10; the first 9,000 train, the last 1,000 test.\nMSE of the noisy input itself: train %.2f, test %.2f. All MSEs are per sample point.\n\n", noisyTrain, noisyTest)
	fmt.Fprintf(&w, "| model | train MSE | test MSE | paper train / test | epochs (steps) | batch | optimizer, lr | parameters | wall time | command |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n")
	for _, m := range []string{"fc", "optnet", "tv", "tuned-tv"} {
		r := res[m]
		p := paper[m]
		if r == nil {
			fmt.Fprintf(&w, "| %s | not run | | %.1f / %.1f | | | | | | `go run ./models/denoise -model %s` |\n", titles[m], p[0], p[1], m)
			continue
		}
		ep, lr := "—", "—"
		if r.Steps > 0 {
			ep = fmt.Sprintf("%d (%d)", r.Epochs, r.Steps)
			o := r.Optimizer
			if o == "" {
				o = "adam"
			}
			lr = fmt.Sprintf("%s %g", o, r.LR)
		}
		name := titles[m]
		if r.Lambda > 0 {
			name += fmt.Sprintf(" (λ = %g)", r.Lambda)
		}
		fmt.Fprintf(&w, "| %s | %.2f | %.2f | %.1f / %.1f | %s | %d | %s | %d | %s | `%s` |\n",
			name, r.TrainMSE, r.TestMSE, p[0], p[1], ep, r.Batch, lr, r.Params, duration(r.TotalSeconds), strings.TrimSpace(r.Command))
	}
	fmt.Fprintf(&w, "\nWall times are on a shared 2-core machine (about 8 other engineers' jobs running at the same time),\nso they overstate what the code needs; `results/<model>.json` has every number with the date.\n\n")
	fmt.Fprintf(&w, "## Models (ONNX graphs built with onnxbuild, trained with the train package)\n\n")
	fmt.Fprintf(&w, "Every model maps the input `noisy` (B, 100) float32 to the output `denoised` (B, 100).\n\n")
	fmt.Fprintf(&w, "* **FC** (`fc.onnx`): Gemm 100→%d, Relu, Gemm %d→100; PyTorch-style uniform initialisation.\n", fcHidden, fcHidden)
	fmt.Fprintf(&w, "* **Pure OptNet** (`optnet.onnx`): one `com.optnet.QP` with n = 199, m = 198: Q = LLᵀ + %gI (Gemm, L starts at I),\n  learned G (uniform ±1/√199) and h = G z₀ + Relu(s₀) (z₀ = 0, s₀ = 1 at the start; z₀ is always feasible),\n  p = x·[−I | 0] (MatMul with a constant), output = the first 100 entries of z (MatMul with [I; 0]).\n", optnetEps)
	fmt.Fprintf(&w, "* **TV** (`tv.onnx`): min_y ½‖y − x‖² + λ‖Dy‖₁ as a QP over [y; t] (n = 199): Q = blockdiag(I, 0) (only\n  semidefinite: the solver's primal path), p = x·[−I | 0] + [0; λ1], G = [[D, −I], [−D, −I]] (m = 198), h = 0, D the\n  99 × 100 first-difference matrix. λ: grid search on the first %d training signals (`tv_lambda.csv`,\n  `tv_lambda.png`: a coarse grid, then steps of 0.5 around the best), then train and test MSE on all signals.\n", tvSearchMax)
	fmt.Fprintf(&w, "* **OptNet-tuned TV** (`tuned_tv.onnx`): the TV QP min ½‖y‖² − yᵀ(Ax) + Σᵢ λwᵢtᵢ s.t. −t ≤ Dy ≤ t (Q, G, h as\n  for TV, D the first differences) with two learned parts of the linear term p = [−Ax; λw]: the coupling\n  A = I + Σ_{|k|≤%d} aₖSₖ + a_μ11ᵀ/100 ((Sₖ)ᵢⱼ = 1 for j = i + k; %d numbers `a`, built with MatMul, Reshape, Add) and\n  per-row weights w of ‖Dy‖₁ (99 numbers `w`); a = 0, w = 1 at the start, which is exactly TV with TV's λ.\n  Adam with a cosine decay of the rate to %g·lr, batches of %d, on the first %d training signals; the last %d\n  training signals are held out and pick the epoch whose model is kept (early stopping; never the test set).\n\n", tunedShifts, 2*tunedShifts+2, tunedLRMin, tunedBatch, nTrain-tunedHoldout, tunedHoldout)
	fmt.Fprintf(&w, "## Plots\n\n* `curves.png`: learning curves (training loss and test MSE per epoch; TV as a dashed line).\n")
	fmt.Fprintf(&w, "* `signals.png`: four test signals: clean, noisy, TV and OptNet-tuned TV.\n* `tuned_tv_params.png`: the tuned TV model's learned coupling and per-row penalties.\n* `tv_lambda.png`: the λ search.\n\n")
	fmt.Fprintf(&w, "![learning curves](curves.png)\n\n![test signals](signals.png)\n\n![learned parameters](tuned_tv_params.png)\n\n")
	fmt.Fprintf(&w, "## Sample for `optrun`\n\n`sample/` holds the tuned TV model (`model.onnx`), %d test signals (`inputs/noisy.npy`, (%d, 100) float32)\nand their clean versions (`target/denoised.npy`), in the layout of `models/default/` used by `cmd/optrun`.\n", sampleCount, sampleCount)
	if notes, err := os.ReadFile(filepath.Join(cfg.out, "notes.md")); err == nil {
		fmt.Fprintf(&w, "\n%s", notes)
	}
	return os.WriteFile(filepath.Join(cfg.out, "RESULTS.md"), []byte(w.String()), 0o644)
}

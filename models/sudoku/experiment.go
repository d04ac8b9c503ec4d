package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"runtime"
	"slices"
	"time"

	"github.com/optnet-go/optnet/exporter"
	"github.com/optnet-go/optnet/importer"
	"github.com/optnet-go/optnet/models/internal/exp"
	"github.com/optnet-go/optnet/train"
)

type config struct {
	out     string
	quick   bool
	epochs  int
	batch   int
	lr      float64
	seed    uint64
	command string
	log     io.Writer
}

// The paper's split: 9,000 training and 1,000 test puzzles.
const (
	nPuzzles   = 10000
	nTrain     = 9000
	dataSeed   = 1
	quickCount = 90
	quickTrain = 60
)

// fcHidden are the baseline's hidden layer sizes.
var fcHidden = []int{512}

// Result is what one model run measured (results/<model>.json).
type Result struct {
	Model      string  `json:"model"`
	Command    string  `json:"command"`
	TrainError float64 `json:"train_error"`
	TestError  float64 `json:"test_error"`
	// TestErrorUnseen is the test error over the test puzzles that do not
	// occur in the training set (Unseen of them).
	TestErrorUnseen float64   `json:"test_error_unseen"`
	Unseen          int       `json:"unseen"`
	TrainLoss       float64   `json:"train_loss"`
	TestLoss        float64   `json:"test_loss"`
	Epochs          int       `json:"epochs"`
	Steps           int       `json:"steps"`
	Batch           int       `json:"batch"`
	LR              float64   `json:"lr"`
	Params          int       `json:"params"`
	Failed          int       `json:"qp_failures"` // training rows left out by the masked loss
	TrainSeconds    float64   `json:"train_seconds"`
	TotalSeconds    float64   `json:"total_seconds"`
	Cores           int       `json:"cores"`
	Quick           bool      `json:"quick,omitempty"`
	Finished        time.Time `json:"finished"`
	FirstLoss       float64   `json:"first_epoch_loss"`
	LastLoss        float64   `json:"last_epoch_loss"`
}

type experiment struct {
	cfg         config
	train, test exp.Data
	z0          []float64
}

// loadData generates the puzzles; X is the one-hot puzzle, Y the one-hot
// solution.
func loadData(quick bool) (trainSet, testSet exp.Data, z0 []float64) {
	n, nt := nPuzzles, nTrain
	if quick {
		n, nt = quickCount, quickTrain
	}
	ex := Generate(n, dataSeed)
	mk := func(ex []Example) exp.Data {
		d := exp.Data{Input: inputName, Output: outputName, In: cells, Out: cells, Float64: true}
		for _, e := range ex {
			d.X = append(d.X, OneHot(e.Puzzle)...)
			d.Y = append(d.Y, OneHot(e.Solution)...)
		}
		return d
	}
	// z₀ = ¼·1, the uniform fractional board: it satisfies every sudoku
	// constraint (each cell, and each digit in each row, column and box,
	// sums to 1) like any valid board, and it is strictly positive, so the
	// feasible set {z ≥ 0 : Az = Az₀} has an interior. With a one-hot valid
	// board instead, that set is (generically) the single point z₀: the
	// KKT system is degenerate and the QP gradients are NaN (RESULTS.md).
	z0 = make([]float64, cells)
	for i := range z0 {
		z0[i] = 0.25
	}
	return mk(ex[:nt]), mk(ex[nt:]), z0
}

func newExperiment(cfg config) (*experiment, error) {
	if _, err := exp.CheckDir(filepath.Join(cfg.out, "results")); err != nil {
		return nil, err
	}
	e := &experiment{cfg: cfg}
	e.train, e.test, e.z0 = loadData(cfg.quick)
	fmt.Fprintf(cfg.log, "data: %d train, %d test puzzles (%d test puzzles also in the training set)\n",
		e.train.Len(), e.test.Len(), overlap(e.train, e.test))
	return e, nil
}

// seenInTraining marks the test puzzles that also occur in the training
// set (4×4 puzzles are few: duplicates happen).
func seenInTraining(tr, te exp.Data) []bool {
	seen := map[string]bool{}
	for i := 0; i < tr.Len(); i++ {
		seen[key(tr.X[i*cells:(i+1)*cells])] = true
	}
	out := make([]bool, te.Len())
	for i := range out {
		out[i] = seen[key(te.X[i*cells:(i+1)*cells])]
	}
	return out
}

func overlap(tr, te exp.Data) int {
	n := 0
	for _, s := range seenInTraining(tr, te) {
		if s {
			n++
		}
	}
	return n
}

func key(v []float32) string {
	b := make([]byte, len(v))
	for i, x := range v {
		if x != 0 {
			b[i] = 1
		}
	}
	return string(b)
}

func (e *experiment) path(name string) string { return filepath.Join(e.cfg.out, name) }

func (e *experiment) runModel(ctx context.Context, model string) error {
	fmt.Fprintf(e.cfg.log, "== %s\n", model)
	switch model {
	case "optnet":
		return e.trainModel(ctx, model, buildOptNet(e.cfg.seed, e.z0, "nan"), 0.1, 20)
	case "fc":
		return e.trainModel(ctx, model, buildFC(e.cfg.seed, fcHidden...), 1e-3, 100)
	}
	return fmt.Errorf("unknown model %q", model)
}

// wrongBoards marks the boards whose decoded scores are not the solution
// (a row with a NaN counts as wrong).
func wrongBoards(pred []float32, d exp.Data) []bool {
	out := make([]bool, d.Len())
	for i := range out {
		row := pred[i*cells : (i+1)*cells]
		for _, v := range row {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				out[i] = true
			}
		}
		out[i] = out[i] || Decode(row) != Decode(d.Y[i*cells:(i+1)*cells])
	}
	return out
}

// boardError is the fraction of boards whose decoded scores are not the
// solution (a row with a NaN counts as wrong), and the MSE over the
// finite rows.
func boardError(pred []float32, d exp.Data) (errRate, loss float64) {
	wrong, n := 0, d.Len()
	se, cnt := 0.0, 0
	for i := 0; i < n; i++ {
		row := pred[i*cells : (i+1)*cells]
		want := d.Y[i*cells : (i+1)*cells]
		finite := true
		for _, v := range row {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				finite = false
			}
		}
		if !finite {
			wrong++
			continue
		}
		for j, v := range row {
			dv := float64(v - want[j])
			se += dv * dv
		}
		cnt += cells
		if Decode(row) != Decode(want) {
			wrong++
		}
	}
	return float64(wrong) / float64(n), se / float64(max(cnt, 1))
}

func countParams(g *graph) int {
	n := 0
	for _, t := range g.b.Graph().Initializer {
		if slices.Contains(g.params, t.GetName()) {
			c := 1
			for _, d := range t.Dims {
				c *= int(d)
			}
			n += c
		}
	}
	return n
}

// trainModel trains g with Adam on the masked MSE against the one-hot
// solutions, logging train and test board errors after every epoch.
func (e *experiment) trainModel(ctx context.Context, model string, g *graph, lr float64, epochs int) error {
	total := exp.StartTimer()
	if e.cfg.lr > 0 {
		lr = e.cfg.lr
	}
	if e.cfg.epochs > 0 {
		epochs = e.cfg.epochs
	} else if e.cfg.quick {
		epochs = 4
	}
	b, err := g.b.Bytes()
	if err != nil {
		return err
	}
	m, err := importer.LoadBytes(b)
	if err != nil {
		return err
	}
	loss := &exp.MaskedMSE{}
	tr, err := train.New(m, train.Options{Loss: loss, Optimizer: &train.Adam{}, LR: lr, Params: g.params, Seed: e.cfg.seed})
	if err != nil {
		return err
	}
	onnxPath := e.path(model + ".onnx")
	run := exp.TrainerRun(tr)
	var last []float64
	var lastTest []float32
	eval := func(epoch int) ([]float64, error) {
		pt, err := exp.Predict(ctx, run, e.train, e.cfg.batch)
		if err != nil {
			return nil, err
		}
		ps, err := exp.Predict(ctx, run, e.test, e.cfg.batch)
		if err != nil {
			return nil, err
		}
		if epoch > 0 {
			if err := tr.Export(onnxPath, exporter.Options{}); err != nil {
				return nil, err
			}
		}
		lastTest = ps
		trErr, trLoss := boardError(pt, e.train)
		teErr, teLoss := boardError(ps, e.test)
		last = []float64{trErr, teErr, trLoss, teLoss, float64(loss.Dropped)}
		return last, nil
	}
	fmt.Fprintf(e.cfg.log, "%s: %d parameters, Adam lr %g, batch %d, %d epochs\n", model, countParams(g), lr, e.cfg.batch, epochs)
	fit, err := exp.Fit(ctx, tr, e.train, exp.FitConfig{
		Epochs: epochs, BatchSize: e.cfg.batch, Seed: e.cfg.seed,
		Eval: eval, EvalNames: []string{"train_error", "test_error", "train_mse", "test_mse", "qp_failures"},
		LogPath:  e.path(model + "_log.csv"),
		Progress: e.cfg.log,
	})
	if err != nil {
		return err
	}
	seen := seenInTraining(e.train, e.test)
	wrong := wrongBoards(lastTest, e.test)
	unseen, unseenWrong := 0, 0
	for i, s := range seen {
		if !s {
			unseen++
			if wrong[i] {
				unseenWrong++
			}
		}
	}
	r := Result{
		Model: model, Command: e.cfg.command,
		TestErrorUnseen: float64(unseenWrong) / float64(max(unseen, 1)), Unseen: unseen,
		TrainError: last[0], TestError: last[1], TrainLoss: last[2], TestLoss: last[3],
		Epochs: fit.Epochs, Steps: fit.Steps, Batch: e.cfg.batch, LR: lr, Params: countParams(g),
		Failed: loss.Dropped, TrainSeconds: fit.Seconds, TotalSeconds: total.Seconds(),
		Cores: runtime.GOMAXPROCS(0), Quick: e.cfg.quick, Finished: time.Now().UTC().Round(time.Second),
		FirstLoss: fit.EpochLoss[0], LastLoss: fit.EpochLoss[len(fit.EpochLoss)-1],
	}
	fmt.Fprintf(e.cfg.log, "%s: train error %.2f%%, test error %.2f%% (%.0fs)\n", model, 100*r.TrainError, 100*r.TestError, r.TotalSeconds)
	return exp.SaveJSON(filepath.Join(e.cfg.out, "results", model+".json"), r)
}

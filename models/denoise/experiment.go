package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"time"

	"github.com/optnet-go/optnet"
	"github.com/optnet-go/optnet/exporter"
	"github.com/optnet-go/optnet/importer"
	"github.com/optnet-go/optnet/models/internal/exp"
	"github.com/optnet-go/optnet/train"
)

// config is the command line.
type config struct {
	out       string
	quick     bool
	epochs    int
	batch     int
	lr        float64
	seed      uint64
	optimizer string
	batchSet  bool // -batch was given
	command   string
	log       io.Writer
}

// Split sizes of the paper: 9,000 training and 1,000 test signals.
const (
	nTrain      = 9000
	quickCount  = 90
	quickTrain  = 60
	fcHidden    = 500
	optnetEps   = 1e-4
	tvSearchMax = 3000 // λ search: the first 3,000 training signals
	// Tuned TV: Adam with a cosine decay to tunedLRMin·lr, batches of
	// tunedBatch, the last tunedHoldout training signals held out to pick
	// the epoch whose model is kept (quick mode: 15 of the 60).
	tunedLR      = 0.02
	tunedLRMin   = 0.1
	tunedEpochs  = 80
	tunedBatch   = 500
	tunedHoldout = 1000
)

// Result is what one model run measured; it is saved as
// results/<model>.json and RESULTS.md is written from these files.
type Result struct {
	Model        string    `json:"model"`
	Command      string    `json:"command"`
	TrainMSE     float64   `json:"train_mse"`
	TestMSE      float64   `json:"test_mse"`
	Epochs       int       `json:"epochs"`
	Steps        int       `json:"steps"`
	Batch        int       `json:"batch"`
	Optimizer    string    `json:"optimizer,omitempty"`
	LR           float64   `json:"lr,omitempty"`
	Lambda       float64   `json:"lambda,omitempty"`
	Params       int       `json:"params"`
	TrainSeconds float64   `json:"train_seconds"`
	TotalSeconds float64   `json:"total_seconds"`
	Cores        int       `json:"cores"`
	Quick        bool      `json:"quick,omitempty"`
	Finished     time.Time `json:"finished"`
	// FirstLoss and LastLoss are the first and last epochs' mean training
	// batch losses (what the quick test checks).
	FirstLoss float64 `json:"first_epoch_loss,omitempty"`
	LastLoss  float64 `json:"last_epoch_loss,omitempty"`
	// Tuned TV: the held-out MSE of the kept model, its epoch, the number
	// of held-out training signals and the final learning rate (cosine).
	HeldoutMSE float64 `json:"heldout_mse,omitempty"`
	BestEpoch  int     `json:"best_epoch,omitempty"`
	Holdout    int     `json:"holdout,omitempty"`
	LRMin      float64 `json:"lr_min,omitempty"`
}

// experiment holds the data of a run.
type experiment struct {
	cfg         config
	train, test exp.Data
}

// loadData generates the signals and splits them 9,000 / 1,000 (quick:
// 60 / 30).
func loadData(quick bool) (trainSet, testSet exp.Data) {
	dc := DefaultData
	n := nTrain
	if quick {
		dc.Count, n = quickCount, quickTrain
	}
	tr, te := Generate(dc).Split(n)
	mk := func(s *Signals) exp.Data {
		return exp.Data{Input: inputName, Output: outputName, In: sigLen, Out: sigLen, X: s.Noisy, Y: s.Clean}
	}
	return mk(tr), mk(te)
}

func newExperiment(cfg config) (*experiment, error) {
	if _, err := exp.CheckDir(filepath.Join(cfg.out, "results")); err != nil {
		return nil, err
	}
	e := &experiment{cfg: cfg}
	e.train, e.test = loadData(cfg.quick)
	fmt.Fprintf(cfg.log, "data: %d train, %d test signals; MSE of the noisy input: train %.3f, test %.3f\n",
		e.train.Len(), e.test.Len(), mse(e.train.X, e.train.Y), mse(e.test.X, e.test.Y))
	return e, nil
}

// fileBase is the file name stem of a model ("tuned-tv" → "tuned_tv").
func fileBase(model string) string {
	b := []byte(model)
	for i, c := range b {
		if c == '-' {
			b[i] = '_'
		}
	}
	return string(b)
}

func (e *experiment) path(name string) string { return filepath.Join(e.cfg.out, name) }

func (e *experiment) resultPath(model string) string {
	return filepath.Join(e.cfg.out, "results", fileBase(model)+".json")
}

func (e *experiment) runModel(ctx context.Context, model string) error {
	fmt.Fprintf(e.cfg.log, "== %s\n", model)
	switch model {
	case "fc":
		return e.trainModel(ctx, model, buildFC(fcHidden, e.cfg.seed), 1e-3, 300, 0)
	case "optnet":
		return e.trainModel(ctx, model, buildOptNet(e.cfg.seed, optnetEps), 1e-3, 20, 0)
	case "tv":
		_, err := e.runTV(ctx)
		return err
	case "tuned-tv":
		lambda, err := e.tvLambda(ctx)
		if err != nil {
			return err
		}
		return e.trainModel(ctx, model, buildTunedTV(lambda, tunedShifts), tunedLR, tunedEpochs, lambda)
	}
	return fmt.Errorf("unknown model %q", model)
}

// tvLambda returns the λ of the saved TV result, running the TV search
// when there is none (or it came from a run of the other mode).
func (e *experiment) tvLambda(ctx context.Context) (float64, error) {
	var r Result
	if err := exp.LoadJSON(e.resultPath("tv"), &r); err == nil && r.Quick == e.cfg.quick && r.Lambda > 0 {
		fmt.Fprintf(e.cfg.log, "λ = %g from %s\n", r.Lambda, e.resultPath("tv"))
		return r.Lambda, nil
	}
	res, err := e.runTV(ctx)
	if err != nil {
		return 0, err
	}
	return res.Lambda, nil
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

// trainModel trains g with Adam on the MSE, logging the test MSE after
// every epoch and saving the model after every epoch (so that a run that
// is cut short leaves its last model).
func (e *experiment) trainModel(ctx context.Context, model string, g *graph, lr float64, epochs int, lambda float64) error {
	total := exp.StartTimer()
	if e.cfg.lr > 0 {
		lr = e.cfg.lr
	}
	if e.cfg.epochs > 0 {
		epochs = e.cfg.epochs
	}
	if e.cfg.quick && e.cfg.epochs == 0 {
		epochs = 3
	}
	b, err := g.b.Bytes()
	if err != nil {
		return err
	}
	m, err := importer.LoadBytes(b)
	if err != nil {
		return err
	}
	opt, err := train.ParseOptimizer(e.cfg.optimizer, 0)
	if err != nil {
		return err
	}
	// Tuned TV trains on all but the last training signals, which pick the
	// epoch whose model is kept (early stopping), with a cosine decay of
	// the rate; the other models train on every training signal and keep
	// the last epoch's model.
	tuned := model == "tuned-tv"
	batch := e.cfg.batch
	fitSet, held := e.train, exp.Data{}
	var sched train.Schedule
	if tuned {
		if !e.cfg.batchSet && !e.cfg.quick {
			batch = tunedBatch
		}
		nh := tunedHoldout
		if e.cfg.quick {
			nh = 15
		}
		n := e.train.Len()
		fitSet, held = e.train.Slice(0, n-nh), e.train.Slice(n-nh, n)
		sched = train.Cosine(epochs*((fitSet.Len()+batch-1)/batch), tunedLRMin)
	}
	tr, err := train.New(m, train.Options{Loss: train.MSE{}, Optimizer: opt, LR: lr, Schedule: sched, Params: g.params, Seed: e.cfg.seed})
	if err != nil {
		return err
	}
	onnxPath := e.path(fileBase(model) + ".onnx")
	run := exp.TrainerRun(tr)
	bestHeld, bestEpoch := math.Inf(1), 0
	evalTest := func(epoch int) ([]float64, error) {
		pred, err := exp.Predict(ctx, run, e.test, batch)
		if err != nil {
			return nil, err
		}
		ev := []float64{mse(pred, e.test.Y)}
		save := epoch > 0
		if tuned {
			hp, err := exp.Predict(ctx, run, held, batch)
			if err != nil {
				return nil, err
			}
			h := mse(hp, held.Y)
			ev = append(ev, h)
			save = h < bestHeld
			if save {
				bestHeld, bestEpoch = h, epoch
			}
		}
		if save {
			if err := tr.Export(onnxPath, exporter.Options{}); err != nil {
				return nil, err
			}
		}
		return ev, nil
	}
	names := []string{"test_mse"}
	if tuned {
		names = append(names, "heldout_mse")
	}
	fmt.Fprintf(e.cfg.log, "%s: %d parameters, %s lr %g, batch %d, %d epochs, %d training signals\n", model, countParams(g), opt.Name(), lr, batch, epochs, fitSet.Len())
	fit, err := exp.Fit(ctx, tr, fitSet, exp.FitConfig{
		Epochs: epochs, BatchSize: batch, Seed: e.cfg.seed,
		Eval: evalTest, EvalNames: names,
		LogPath:  e.path(fileBase(model) + "_log.csv"),
		Progress: e.cfg.log, ProgressEvery: 10,
	})
	if err != nil {
		return err
	}
	// The numbers are those of the saved model (for tuned TV, the epoch
	// with the lowest held-out MSE), over all training and test signals.
	saved, err := os.ReadFile(onnxPath)
	if err != nil {
		return err
	}
	sm, err := optnet.LoadBytes(saved, optnet.Options{})
	if err != nil {
		return err
	}
	pred, err := exp.Predict(ctx, sm.Run, e.train, batch)
	if err != nil {
		return err
	}
	tpred, err := exp.Predict(ctx, sm.Run, e.test, batch)
	if err != nil {
		return err
	}
	r := Result{
		Model: model, Command: e.cfg.command,
		TrainMSE: mse(pred, e.train.Y), TestMSE: mse(tpred, e.test.Y),
		Epochs: fit.Epochs, Steps: fit.Steps, Batch: batch, Optimizer: e.cfg.optimizer, LR: lr, Lambda: lambda,
		Params: countParams(g), TrainSeconds: fit.Seconds, TotalSeconds: total.Seconds(),
		Cores: runtime.GOMAXPROCS(0), Quick: e.cfg.quick, Finished: time.Now().UTC().Round(time.Second),
		FirstLoss: fit.EpochLoss[0], LastLoss: fit.EpochLoss[len(fit.EpochLoss)-1],
	}
	if tuned {
		r.HeldoutMSE, r.BestEpoch, r.Holdout, r.LRMin = bestHeld, bestEpoch, held.Len(), tunedLRMin*lr
	}
	fmt.Fprintf(e.cfg.log, "%s: train MSE %.3f, test MSE %.3f (%.0fs)\n", model, r.TrainMSE, r.TestMSE, r.TotalSeconds)
	return exp.SaveJSON(e.resultPath(model), r)
}

// tvGrid is the λ search: a coarse grid, then steps of 0.5 around the best.
var tvCoarse = []float64{2, 5, 8, 11, 14, 17, 20, 25, 30}

// runTV chooses λ by a grid search on (the first 3,000 signals of) the
// training set, then measures the train and test MSE at the best λ.
func (e *experiment) runTV(ctx context.Context) (*Result, error) {
	total := exp.StartTimer()
	search := e.train
	if search.Len() > tvSearchMax {
		search = search.Slice(0, tvSearchMax)
	}
	log, err := exp.NewLog(e.path("tv_lambda.csv"), "lambda", "train_search_mse", "seconds")
	if err != nil {
		return nil, err
	}
	defer log.Close()
	tried := map[float64]float64{}
	try := func(lambda float64) error {
		if _, ok := tried[lambda]; ok || lambda <= 0 {
			return nil
		}
		t := exp.StartTimer()
		v, err := e.tvMSE(ctx, lambda, search)
		if err != nil {
			return err
		}
		tried[lambda] = v
		fmt.Fprintf(e.cfg.log, "TV λ = %5.2f: MSE %.4f on %d training signals (%.1fs)\n", lambda, v, search.Len(), t.Seconds())
		return log.Row(lambda, v, t.Seconds())
	}
	best := func() float64 {
		b, bv := 0.0, math.Inf(1)
		for l, v := range tried {
			if v < bv || (v == bv && l < b) {
				b, bv = l, v
			}
		}
		return b
	}
	grid := tvCoarse
	if e.cfg.quick {
		grid = []float64{5, 13, 20}
	}
	for _, l := range grid {
		if err := try(l); err != nil {
			return nil, err
		}
	}
	if !e.cfg.quick {
		c := best()
		for d := -2.5; d <= 2.5; d += 0.5 {
			if err := try(c + d); err != nil {
				return nil, err
			}
		}
	}
	lambda := best()
	trainMSE, err := e.tvMSE(ctx, lambda, e.train)
	if err != nil {
		return nil, err
	}
	testMSE, err := e.tvMSE(ctx, lambda, e.test)
	if err != nil {
		return nil, err
	}
	b, err := buildTV(lambda, firstDifferences(), false).b.Bytes()
	if err != nil {
		return nil, err
	}
	if err := exporter.AtomicWrite(e.path("tv.onnx"), b); err != nil {
		return nil, err
	}
	r := &Result{
		Model: "tv", Command: e.cfg.command, TrainMSE: trainMSE, TestMSE: testMSE,
		Batch: e.cfg.batch, Lambda: lambda, Params: 1, TotalSeconds: total.Seconds(),
		Cores: runtime.GOMAXPROCS(0), Quick: e.cfg.quick, Finished: time.Now().UTC().Round(time.Second),
	}
	fmt.Fprintf(e.cfg.log, "tv: λ = %g, train MSE %.3f, test MSE %.3f (%.0fs)\n", lambda, trainMSE, testMSE, r.TotalSeconds)
	return r, exp.SaveJSON(e.resultPath("tv"), r)
}

// tvMSE is the MSE of TV denoising with parameter λ over d.
func (e *experiment) tvMSE(ctx context.Context, lambda float64, d exp.Data) (float64, error) {
	b, err := buildTV(lambda, firstDifferences(), false).b.Bytes()
	if err != nil {
		return 0, err
	}
	m, err := optnet.LoadBytes(b, optnet.Options{})
	if err != nil {
		return 0, err
	}
	pred, err := exp.Predict(ctx, m.Run, d, e.cfg.batch)
	if err != nil {
		return 0, err
	}
	return mse(pred, d.Y), nil
}

// fileExists reports whether path names an existing file.
func fileExists(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular()
}

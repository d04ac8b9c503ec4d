// Command denoise reproduces the signal-denoising experiment of the OptNet
// paper (Amos & Kolter, ICML 2017, §5.3) with optnet: a fully connected
// network, a pure OptNet layer, total-variation (TV) denoising written as a
// QP, and TV whose difference operator is learned through the QP layer
// ("OptNet-tuned TV").
//
//	go run ./models/denoise -model all        # everything (hours on 2 cores)
//	go run ./models/denoise -model tuned-tv   # one model
//	go run ./models/denoise -report           # RESULTS.md and plots from saved results
//	go run ./models/denoise -quick            # a tiny run (what the test does)
//	go run ./models/denoise -probe            # the TV loss around D₀ (probe.csv)
//
// Each model run writes, in -out (default models/denoise): the trained
// ONNX model (<model>.onnx), its learning curve (<model>_log.csv), its
// numbers (results/<model>.json); then RESULTS.md and the plots are
// rebuilt from every result present.
package main

import (
	"context"
	"flag"
	"fmt"
	"github.com/optnet-go/optnet/models/internal/exp"
	"io"
	"os"
	"strings"

	"github.com/optnet-go/optnet/train"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "denoise:", err)
		os.Exit(1)
	}
}

// modelNames lists the models in the order -model all runs them (TV
// before tuned TV, whose λ it provides).
var modelNames = []string{"fc", "tv", "tuned-tv", "optnet"}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("denoise", flag.ContinueOnError)
	fs.SetOutput(stdout)
	model := fs.String("model", "all", "model to train: "+strings.Join(modelNames, ", ")+" or all")
	quick := fs.Bool("quick", false, "tiny data and few steps (a smoke test; results are not meaningful)")
	out := fs.String("out", "models/denoise", "folder for models, logs, results and plots")
	epochs := fs.Int("epochs", 0, "training epochs (0: the model's default)")
	batch := fs.Int("batch", 150, "mini-batch size (quick mode: 15; tuned-tv: 500 unless given)")
	lr := fs.Float64("lr", 0, "learning rate (0: the model's default)")
	optim := fs.String("optimizer", "adam", "optimizer: adam, sgd, momentum (SGD with 0.9), nesterov, adamw")
	seed := fs.Uint64("seed", 1, "seed of the parameter initialisation and batch order")
	report := fs.Bool("report", false, "only rebuild RESULTS.md and the plots from saved results")
	probe := fs.Bool("probe", false, "only probe the TV loss around the first-difference D (probe.csv)")
	explore := fs.String("explore", "", "only train these comma-separated variants of tuned TV in float64 (explore.go) and log them")
	full := fs.Bool("full", false, "with -explore: 8,000 training, 1,000 held-out and 1,000 test signals (default 1,500 / 500 / 500)")
	lambda0 := fs.Float64("lambda", 21, "with -explore: the initial λ")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if *quick && !exp.FlagSet(fs, "batch") {
		*batch = 15
	}
	cfg := config{
		out: *out, quick: *quick, epochs: *epochs, batch: *batch, lr: *lr, seed: *seed, optimizer: *optim, batchSet: exp.FlagSet(fs, "batch"),
		command: "go run ./models/denoise " + strings.Join(args, " "), log: stdout,
	}
	if _, err := train.ParseOptimizer(*optim, 0); err != nil {
		return err
	}
	if *report {
		return writeReport(cfg)
	}
	if *explore != "" {
		return runExplore(ctx, cfg, *explore, *full, *lambda0)
	}
	if *probe {
		return runProbes(ctx, cfg)
	}
	names, err := exp.ParseModels(*model, modelNames)
	if err != nil {
		return err
	}
	e, err := newExperiment(cfg)
	if err != nil {
		return err
	}
	for _, m := range names {
		if err := e.runModel(ctx, m); err != nil {
			return fmt.Errorf("%s: %w", m, err)
		}
	}
	return writeReport(cfg)
}

// Command sudoku reproduces the 4×4 sudoku experiment of the OptNet paper
// (Amos & Kolter, ICML 2017, §5.2) with optnet: an OptNet layer that
// learns the game's constraints as the equality constraints of a QP, and
// a fully connected baseline, trained on the same puzzles.
//
//	go run ./models/sudoku -model all      # both models
//	go run ./models/sudoku -model optnet   # one model
//	go run ./models/sudoku -report         # RESULTS.md and the plot from saved results
//	go run ./models/sudoku -quick          # a tiny run (what the test does)
//
// Each model run writes, in -out (default models/sudoku): the trained
// ONNX model (<model>.onnx), its learning curve (<model>_log.csv) and its
// numbers (results/<model>.json); then RESULTS.md and curves.png are
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
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "sudoku:", err)
		os.Exit(1)
	}
}

var modelNames = []string{"optnet", "fc"}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("sudoku", flag.ContinueOnError)
	fs.SetOutput(stdout)
	model := fs.String("model", "all", "model to train: "+strings.Join(modelNames, ", ")+" or all")
	quick := fs.Bool("quick", false, "tiny data and few steps (a smoke test; results are not meaningful)")
	out := fs.String("out", "models/sudoku", "folder for models, logs, results and plots")
	epochs := fs.Int("epochs", 0, "training epochs (0: the model's default)")
	batch := fs.Int("batch", 150, "mini-batch size (quick mode: 15)")
	lr := fs.Float64("lr", 0, "learning rate (0: the model's default)")
	seed := fs.Uint64("seed", 1, "seed of the parameter initialisation and batch order")
	report := fs.Bool("report", false, "only rebuild RESULTS.md and the plot from saved results")
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
		out: *out, quick: *quick, epochs: *epochs, batch: *batch, lr: *lr, seed: *seed,
		command: "go run ./models/sudoku " + strings.Join(args, " "), log: stdout,
	}
	if *report {
		return writeReport(cfg)
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

package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/optnet-go/optnet/models/internal/exp"
)

var titles = map[string]string{
	"optnet": "OptNet (learned Az = b)",
	"fc":     "FC baseline",
}

func loadResults(out string) (map[string]*Result, error) {
	res := map[string]*Result{}
	for _, m := range modelNames {
		var r Result
		err := exp.LoadJSON(filepath.Join(out, "results", m+".json"), &r)
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

// writeReport rebuilds curves.png and RESULTS.md from the saved results.
func writeReport(cfg config) error {
	res, err := loadResults(cfg.out)
	if err != nil {
		return err
	}
	var series []exp.Series
	for i, m := range modelNames {
		h, cols, err := exp.ReadCSV(filepath.Join(cfg.out, m+"_log.csv"))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
		ep := exp.Column(h, cols, "epoch")
		pct := func(v []float64) []float64 {
			out := make([]float64, len(v))
			for i, x := range v {
				out[i] = 100 * x
			}
			return out
		}
		series = append(series,
			exp.Series{Name: titles[m] + ", train", X: ep, Y: pct(exp.Column(h, cols, "train_error")), Style: i, Dashed: true},
			exp.Series{Name: titles[m] + ", test", X: ep, Y: pct(exp.Column(h, cols, "test_error")), Style: i, Points: true})
	}
	if len(series) > 0 {
		if err := exp.LinePlot(filepath.Join(cfg.out, "curves.png"), exp.Axes{Title: "4×4 sudoku: boards not solved", X: "epoch", Y: "error (%)"}, series, 6, 4); err != nil {
			return err
		}
	}
	return writeMarkdown(cfg, res)
}

func writeMarkdown(cfg config, res map[string]*Result) error {
	trainSet, testSet, _ := loadData(cfg.quick)
	var w strings.Builder
	fmt.Fprintf(&w, "# 4×4 sudoku (OptNet paper, §5.2)\n\n")
	if cfg.quick {
		fmt.Fprintf(&w, "**Quick mode: tiny data, a few steps; the numbers mean nothing.**\n\n")
	}
	fmt.Fprintf(&w, "Data (`Generate(%d, %d)`): puzzles with a unique solution (cells blanked at random while the\nsolution stays unique), one-hot encoded (index 16·row + 4·column + digit, blank = zeros); the first %d\ntrain, the last %d test. %d test puzzles also occur in the training set (there are few distinct 4×4\npuzzles); the column \"test error, unseen\" counts only the other %d.\n\n",
		nPuzzles, dataSeed, trainSet.Len(), testSet.Len(), overlap(trainSet, testSet), testSet.Len()-overlap(trainSet, testSet))
	fmt.Fprintf(&w, "Error = fraction of boards whose cell-wise argmax is not the full correct solution (givens included).\n\n")
	fmt.Fprintf(&w, "| model | train error | test error | test error, unseen | train / test MSE | epochs (steps) | batch | Adam lr | parameters | QP failures | wall time | command |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n")
	for _, m := range modelNames {
		r := res[m]
		if r == nil {
			fmt.Fprintf(&w, "| %s | not run | | | | | | | | | | `go run ./models/sudoku -model %s` |\n", titles[m], m)
			continue
		}
		fmt.Fprintf(&w, "| %s | %.2f%% | %.2f%% | %.2f%% (of %d) | %.4f / %.4f | %d (%d) | %d | %g | %d | %d | %s | `%s` |\n",
			titles[m], 100*r.TrainError, 100*r.TestError, 100*r.TestErrorUnseen, r.Unseen, r.TrainLoss, r.TestLoss,
			r.Epochs, r.Steps, r.Batch, r.LR, r.Params, r.Failed, duration(r.TotalSeconds), strings.TrimSpace(r.Command))
	}
	fmt.Fprintf(&w, "\nWall times are on a shared 2-core machine; `results/<model>.json` has every number.\n\n")
	fmt.Fprintf(&w, "## Models (ONNX graphs built with onnxbuild, trained with the train package)\n\n")
	fmt.Fprintf(&w, "Both map the input `puzzle` (B, 64) float64 to `scores` (B, 64); the loss is the MSE against the one-hot\nsolution (rows the QP could not solve would be left out and counted under \"QP failures\").\n\n")
	fmt.Fprintf(&w, "* **OptNet** (`optnet.onnx`): one `com.optnet.QP` with n = 64, Q = 0.1·I, G = −I, h = 0 (z ≥ 0), learned A\n  (%d × 64, uniform in [−1, 1) at the start), b = A·z₀ (MatMul) with the fixed board z₀ = ¼·1, p = −puzzle (Neg);\n  `on_failure = \"nan\"`.\n", nEq)
	fmt.Fprintf(&w, "* **FC baseline** (`fc.onnx`): Gemm 64→%v→64 with Relu.\n\n", fcHidden)
	fmt.Fprintf(&w, "![learning curves](curves.png)\n")
	if notes, err := os.ReadFile(filepath.Join(cfg.out, "notes.md")); err == nil {
		fmt.Fprintf(&w, "\n%s", notes)
	}
	return os.WriteFile(filepath.Join(cfg.out, "RESULTS.md"), []byte(w.String()), 0o644)
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

package exp

import (
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"

	"github.com/optnet-go/optnet/runtime/tensor"
	"github.com/optnet-go/optnet/train"
)

// Data is a supervised data set: N rows of In inputs (fed to the model
// input called Input) and Out targets, float32 row-major.
type Data struct {
	Input  string
	In     int
	Out    int
	X, Y   []float32
	Output string // the model output compared with Y
	// Float64 feeds the model float64 tensors (the data stay float32).
	Float64 bool
}

// rows gathers rows idx of v (width w) as a tensor of the data's dtype.
func (d Data) rows(v []float32, w int, idx []int) *tensor.Tensor {
	t := Rows(v, w, idx)
	if d.Float64 {
		t, _ = tensor.Convert(t, tensor.Float64) // float32 → float64 cannot fail
	}
	return t
}

// Len is the number of rows.
func (d Data) Len() int {
	if d.In == 0 {
		return 0
	}
	return len(d.X) / d.In
}

// Batch returns the rows idx as a training batch.
func (d Data) Batch(idx []int) train.Batch {
	return train.Batch{
		Inputs: map[string]*tensor.Tensor{d.Input: d.rows(d.X, d.In, idx)},
		Target: d.rows(d.Y, d.Out, idx),
	}
}

// Slice returns rows [lo, hi) sharing storage.
func (d Data) Slice(lo, hi int) Data {
	e := d
	e.X = d.X[lo*d.In : hi*d.In]
	e.Y = d.Y[lo*d.Out : hi*d.Out]
	return e
}

// RunFunc runs a model on named inputs.
type RunFunc func(ctx context.Context, inputs map[string]*tensor.Tensor) (map[string]*tensor.Tensor, error)

// TrainerRun runs the trainer's current model in inference mode.
func TrainerRun(tr *train.Trainer) RunFunc {
	return func(ctx context.Context, in map[string]*tensor.Tensor) (map[string]*tensor.Tensor, error) {
		_, outs, err := tr.Evaluate(ctx, train.Batch{Inputs: in})
		return outs, err
	}
}

// Predict runs a model over d in batches and returns its outputs, N×Out.
func Predict(ctx context.Context, run RunFunc, d Data, batch int) ([]float32, error) {
	out := make([]float32, 0, d.Len()*d.Out)
	for _, idx := range InOrder(d.Len(), batch) {
		outs, err := run(ctx, map[string]*tensor.Tensor{d.Input: d.rows(d.X, d.In, idx)})
		if err != nil {
			return nil, err
		}
		y := outs[d.Output]
		if y == nil {
			return nil, fmt.Errorf("exp: the model has no output %q", d.Output)
		}
		v, err := Float32s(y)
		if err != nil {
			return nil, err
		}
		if len(v) != len(idx)*d.Out {
			return nil, fmt.Errorf("exp: output %q has %d values for %d rows of %d", d.Output, len(v), len(idx), d.Out)
		}
		out = append(out, v...)
	}
	return out, nil
}

// FitConfig configures Fit.
type FitConfig struct {
	Epochs    int
	BatchSize int
	Seed      uint64
	// MaxSteps stops training after this many optimizer steps (0: none).
	MaxSteps int
	// Eval, when set, is called before training (epoch 0) and after every
	// epoch; its values are logged under EvalNames.
	Eval      func(epoch int) ([]float64, error)
	EvalNames []string
	// Log, when set, receives a header and one row per epoch: epoch, steps,
	// seconds, train_loss (mean batch loss over the epoch), then Eval's.
	LogPath string
	// Progress, when set, receives one line per epoch, and with
	// ProgressEvery > 0 a line with the mean batch loss every that many
	// steps.
	Progress      io.Writer
	ProgressEvery int
}

// FitResult summarises a Fit.
type FitResult struct {
	Steps     int
	Epochs    int
	Seconds   float64
	StepLoss  []float64 // every step's batch loss
	EpochLoss []float64 // mean batch loss of every epoch
	Evals     [][]float64
}

// Fit trains tr on d for cfg.Epochs epochs of shuffled mini-batches.
func Fit(ctx context.Context, tr *train.Trainer, d Data, cfg FitConfig) (*FitResult, error) {
	rng := rand.New(rand.NewPCG(cfg.Seed, 0xf17))
	res := &FitResult{}
	var log *Log
	if cfg.LogPath != "" {
		var err error
		header := append([]string{"epoch", "steps", "seconds", "train_loss"}, cfg.EvalNames...)
		if log, err = NewLog(cfg.LogPath, header...); err != nil {
			return nil, err
		}
		defer log.Close()
	}
	clock := StartTimer()
	record := func(epoch int, loss float64) error {
		var ev []float64
		if cfg.Eval != nil {
			var err error
			if ev, err = cfg.Eval(epoch); err != nil {
				return err
			}
		}
		res.Evals = append(res.Evals, ev)
		row := append([]float64{float64(epoch), float64(res.Steps), clock.Seconds(), loss}, ev...)
		if log != nil {
			if err := log.Row(row...); err != nil {
				return err
			}
		}
		if cfg.Progress != nil {
			fmt.Fprintf(cfg.Progress, "epoch %3d  steps %5d  %7.1fs  train loss %.5g", epoch, res.Steps, row[2], loss)
			for i, v := range ev {
				if i < len(cfg.EvalNames) {
					fmt.Fprintf(cfg.Progress, "  %s %.5g", cfg.EvalNames[i], v)
				}
			}
			fmt.Fprintln(cfg.Progress)
		}
		return nil
	}
	if err := record(0, math.NaN()); err != nil {
		return nil, err
	}
	for epoch := 1; epoch <= cfg.Epochs; epoch++ {
		sum, n := 0.0, 0
		for _, idx := range Shuffled(d.Len(), cfg.BatchSize, rng) {
			if err := ctx.Err(); err != nil {
				return res, err
			}
			loss, err := tr.Step(ctx, d.Batch(idx))
			if err != nil {
				return res, fmt.Errorf("epoch %d, step %d: %w", epoch, res.Steps, err)
			}
			res.StepLoss = append(res.StepLoss, loss)
			res.Steps++
			sum += loss * float64(len(idx))
			n += len(idx)
			if k := cfg.ProgressEvery; k > 0 && cfg.Progress != nil && res.Steps%k == 0 {
				m := 0.0
				for _, l := range res.StepLoss[len(res.StepLoss)-k:] {
					m += l
				}
				fmt.Fprintf(cfg.Progress, "  step %5d  %7.1fs  mean loss of the last %d steps %.5g\n", res.Steps, clock.Seconds(), k, m/float64(k))
			}
			if cfg.MaxSteps > 0 && res.Steps >= cfg.MaxSteps {
				break
			}
		}
		res.EpochLoss = append(res.EpochLoss, sum/float64(max(n, 1)))
		res.Epochs = epoch
		if err := record(epoch, sum/float64(max(n, 1))); err != nil {
			return res, err
		}
		if cfg.MaxSteps > 0 && res.Steps >= cfg.MaxSteps {
			break
		}
	}
	res.Seconds = clock.Seconds()
	return res, nil
}

package train

import (
	"fmt"
	"math"

	"github.com/optnet-go/optnet/runtime/tensor"
)

// Loss turns a model output and a target into a scalar and the gradient
// of that scalar with respect to the output.
type Loss interface {
	// Eval returns the loss (a mean over the batch) and d loss / d output,
	// with output's shape and dtype.
	Eval(output, target *tensor.Tensor) (float64, *tensor.Tensor, error)
	// Name is the loss's name in logs ("mse", "cross-entropy", ...).
	Name() string
}

// ParseLoss returns the loss with the given command-line name: mse,
// cross-entropy (ce), nll, or output (the model's output is the loss).
func ParseLoss(name string) (Loss, error) {
	switch name {
	case "mse":
		return MSE{}, nil
	case "cross-entropy", "ce", "crossentropy":
		return CrossEntropy{}, nil
	case "nll":
		return NLL{}, nil
	case "output", "model":
		return OutputLoss{}, nil
	}
	return nil, fmt.Errorf("unknown loss %q (want mse, cross-entropy, nll or output)", name)
}

// MSE is the mean squared error over all elements: mean((y - t)²).
type MSE struct{}

// Name returns "mse".
func (MSE) Name() string { return "mse" }

// Eval computes the loss and its gradient 2(y - t)/N.
func (MSE) Eval(y, target *tensor.Tensor) (float64, *tensor.Tensor, error) {
	if !tensor.SameShape(y.Shape(), target.Shape()) {
		return 0, nil, fmt.Errorf("mse: output %v and target %v differ in shape: %w", y.Shape(), target.Shape(), tensor.ErrShape)
	}
	yv, err := tensor.Float64s(y)
	if err != nil {
		return 0, nil, err
	}
	tv, err := tensor.Float64s(target)
	if err != nil {
		return 0, nil, err
	}
	n := float64(len(yv))
	if n == 0 {
		return 0, nil, fmt.Errorf("mse: empty output: %w", tensor.ErrShape)
	}
	g := make([]float64, len(yv))
	s := 0.0
	for i, v := range yv {
		d := v - tv[i]
		s += d * d
		g[i] = 2 * d / n
	}
	grad, err := fromFloat64s(g, y)
	return s / n, grad, err
}

// CrossEntropy is softmax cross-entropy on logits of shape (N, C) (or
// (N, C, d...)) against integer class targets of shape (N) ((N, d...)),
// averaged over samples. Targets may also be probabilities of the logits'
// shape.
type CrossEntropy struct{}

// Name returns "cross-entropy".
func (CrossEntropy) Name() string { return "cross-entropy" }

// Eval computes the loss and softmax(y) - onehot(t), divided by N.
func (CrossEntropy) Eval(y, target *tensor.Tensor) (float64, *tensor.Tensor, error) {
	return classLoss(y, target, true)
}

// NLL is the negative log-likelihood of log-probabilities (N, C) against
// integer class targets (N), averaged over samples.
type NLL struct{}

// Name returns "nll".
func (NLL) Name() string { return "nll" }

// Eval computes the loss and -onehot(t)/N.
func (NLL) Eval(y, target *tensor.Tensor) (float64, *tensor.Tensor, error) {
	return classLoss(y, target, false)
}

// classLoss handles cross-entropy (softmax=true) and NLL over axis 1.
func classLoss(y, target *tensor.Tensor, softmax bool) (float64, *tensor.Tensor, error) {
	if y.Rank() < 2 {
		return 0, nil, fmt.Errorf("class loss needs outputs of shape (N, C, ...), got %v: %w", y.Shape(), tensor.ErrShape)
	}
	yv, err := tensor.Float64s(y)
	if err != nil {
		return 0, nil, err
	}
	n, c := y.Dim(0), y.Dim(1)
	inner := y.Len() / max(n*c, 1)
	samples := n * inner
	g := make([]float64, len(yv))
	probTargets := tensor.SameShape(target.Shape(), y.Shape()) && target.DType().IsFloat()
	var labels []int64
	var probs []float64
	if probTargets {
		probs, _ = tensor.Float64s(target)
	} else {
		want := append([]int{n}, y.Shape()[2:]...)
		if !tensor.SameShape(target.Shape(), want) {
			return 0, nil, fmt.Errorf("class targets of shape %v do not fit outputs %v (want %v or %v): %w", target.Shape(), y.Shape(), want, y.Shape(), tensor.ErrShape)
		}
		if target.DType().IsFloat() {
			f, _ := tensor.Float64s(target)
			labels = make([]int64, len(f))
			for i, v := range f {
				labels[i] = int64(v)
			}
		} else if labels, err = tensor.Int64s(target); err != nil {
			return 0, nil, err
		}
	}
	total := 0.0
	col := make([]float64, c)
	for b := 0; b < n; b++ {
		for k := 0; k < inner; k++ {
			at := func(j int) int { return (b*c+j)*inner + k }
			for j := 0; j < c; j++ {
				col[j] = yv[at(j)]
			}
			var logp []float64
			if softmax {
				m := math.Inf(-1)
				for _, v := range col {
					m = math.Max(m, v)
				}
				s := 0.0
				for _, v := range col {
					s += math.Exp(v - m)
				}
				lse := m + math.Log(s)
				logp = make([]float64, c)
				for j, v := range col {
					logp[j] = v - lse
				}
			} else {
				logp = col
			}
			tsum := 1.0 // Σ_j t_j: 1 for labels, anything for soft targets
			if probTargets {
				tsum = 0
				for j := 0; j < c; j++ {
					tsum += probs[at(j)]
				}
			}
			for j := 0; j < c; j++ {
				var tj float64
				if probTargets {
					tj = probs[at(j)]
				} else {
					lab := labels[b*inner+k]
					if lab < 0 || lab >= int64(c) {
						return 0, nil, fmt.Errorf("class target %d out of range [0, %d): %w", lab, c, tensor.ErrShape)
					}
					if int64(j) == lab {
						tj = 1
					}
				}
				total -= tj * logp[j]
				if softmax {
					g[at(j)] = (tsum*math.Exp(logp[j]) - tj) / float64(samples)
				} else {
					g[at(j)] = -tj / float64(samples)
				}
			}
		}
	}
	grad, err := fromFloat64s(g, y)
	return total / float64(samples), grad, err
}

// OutputLoss treats the model's output as the loss (its mean, if it is not
// a scalar); the target is ignored.
type OutputLoss struct{}

// Name returns "output".
func (OutputLoss) Name() string { return "output" }

// Eval returns mean(y) and 1/N everywhere.
func (OutputLoss) Eval(y, _ *tensor.Tensor) (float64, *tensor.Tensor, error) {
	yv, err := tensor.Float64s(y)
	if err != nil {
		return 0, nil, err
	}
	s := 0.0
	g := make([]float64, len(yv))
	for i, v := range yv {
		s += v
		g[i] = 1 / float64(len(yv))
	}
	grad, err := fromFloat64s(g, y)
	return s / float64(len(yv)), grad, err
}

// fromFloat64s makes a tensor like ref (dtype, shape) from float64 values.
func fromFloat64s(v []float64, ref *tensor.Tensor) (*tensor.Tensor, error) {
	t, err := tensor.FromSlice(ref.Shape(), v)
	if err != nil {
		return nil, err
	}
	return tensor.Convert(t, ref.DType())
}

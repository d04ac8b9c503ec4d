package exp

import (
	"fmt"
	"math"

	"github.com/optnet-go/optnet/runtime/tensor"
)

// MaskedMSE is the mean squared error over the rows (first dimension) of
// the output that are finite. A QP layer with on_failure="nan" returns NaN
// rows for the items it could not solve; this loss leaves them out (their
// gradient is zero) and counts them in Dropped, so that a rare solver
// failure costs one item instead of the whole run. A batch whose rows are
// all NaN is an error.
type MaskedMSE struct {
	// Dropped counts the rows left out since the loss was made.
	Dropped int
}

// Name returns "masked-mse".
func (*MaskedMSE) Name() string { return "masked-mse" }

// Eval returns mean((y−t)²) over the finite rows and its gradient.
func (l *MaskedMSE) Eval(y, target *tensor.Tensor) (float64, *tensor.Tensor, error) {
	if !tensor.SameShape(y.Shape(), target.Shape()) || y.Rank() < 1 {
		return 0, nil, fmt.Errorf("masked-mse: output %v and target %v differ in shape: %w", y.Shape(), target.Shape(), tensor.ErrShape)
	}
	yv, err := tensor.Float64s(y)
	if err != nil {
		return 0, nil, err
	}
	tv, err := tensor.Float64s(target)
	if err != nil {
		return 0, nil, err
	}
	rows := y.Dim(0)
	if rows == 0 || len(yv) == 0 {
		return 0, nil, fmt.Errorf("masked-mse: empty output: %w", tensor.ErrShape)
	}
	w := len(yv) / rows
	keep := make([]bool, rows)
	kept := 0
	for r := 0; r < rows; r++ {
		keep[r] = true
		for _, v := range yv[r*w : (r+1)*w] {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				keep[r] = false
				break
			}
		}
		if keep[r] {
			kept++
		}
	}
	l.Dropped += rows - kept
	if kept == 0 {
		return 0, nil, fmt.Errorf("masked-mse: all %d rows of the output are NaN", rows)
	}
	n := float64(kept * w)
	g := make([]float64, len(yv))
	s := 0.0
	for r := 0; r < rows; r++ {
		if !keep[r] {
			continue
		}
		for i := r * w; i < (r+1)*w; i++ {
			d := yv[i] - tv[i]
			s += d * d
			g[i] = 2 * d / n
		}
	}
	gt, err := tensor.FromSlice(y.Shape(), g)
	if err != nil {
		return 0, nil, err
	}
	gt, err = tensor.Convert(gt, y.DType())
	return s / n, gt, err
}

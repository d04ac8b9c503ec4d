package models

import (
	"fmt"

	"github.com/optnet-go/optnet/models/internal/exp"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// Signals names a batch of 1-D signals of shape (B, L) for PlotSignals.
type Signals struct {
	Name string
	T    *tensor.Tensor
}

// PlotSignals writes a PNG to path with one panel for each of the first
// count rows of the signals (all of shape (B, L), float), each panel
// showing that row of every signal; the panel titles give each signal's
// mean squared error against the last one (e.g. noisy, denoised and clean:
// the errors of the noisy and the denoised signal).
func PlotSignals(path string, count int, signals ...Signals) error {
	if len(signals) == 0 {
		return fmt.Errorf("models: no signals to plot")
	}
	shape := signals[0].T.Shape()
	if len(shape) != 2 || shape[0] == 0 || shape[1] == 0 {
		return fmt.Errorf("models: signals of shape %v; want (B, L)", shape)
	}
	vals := make([][]float64, len(signals))
	for i, s := range signals {
		if !tensor.SameShape(s.T.Shape(), shape) {
			return fmt.Errorf("models: signal %s has shape %v, %s has %v", s.Name, s.T.Shape(), signals[0].Name, shape)
		}
		v, err := tensor.Float64s(s.T)
		if err != nil {
			return err
		}
		vals[i] = v
	}
	rows, l := min(count, shape[0]), shape[1]
	x := make([]float64, l)
	for i := range x {
		x[i] = float64(i)
	}
	ref := vals[len(vals)-1]
	var panels []exp.Panel
	for r := 0; r < rows; r++ {
		title := fmt.Sprintf("signal %d", r)
		var series []exp.Series
		for i, s := range signals {
			row := vals[i][r*l : (r+1)*l]
			series = append(series, exp.Series{Name: s.Name, X: x, Y: row, Style: i})
			if i < len(signals)-1 {
				e := 0.0
				for j, v := range row {
					d := v - ref[r*l+j]
					e += d * d
				}
				title += fmt.Sprintf(", MSE %s %.3g", s.Name, e/float64(l))
			}
		}
		panels = append(panels, exp.Panel{Axes: exp.Axes{Title: title, X: "t"}, Series: series})
	}
	cols := 1
	if rows > 1 {
		cols = 2
	}
	return exp.PanelGrid(path, panels, cols, 6, 3.5)
}

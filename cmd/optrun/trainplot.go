package main

import (
	"bytes"
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/optnet-go/optnet/exporter"
)

// plotLoss draws the per-epoch train (and validation) loss to a PNG file.
func plotLoss(path string, hist []epochRecord, val bool) error {
	p := plot.New()
	p.Title.Text = "optrun train"
	p.X.Label.Text = "epoch"
	p.Y.Label.Text = "loss"
	p.Add(plotter.NewGrid())
	trainPts := make(plotter.XYs, 0, len(hist))
	valPts := make(plotter.XYs, 0, len(hist))
	for _, r := range hist {
		trainPts = append(trainPts, plotter.XY{X: float64(r.Epoch), Y: r.TrainLoss})
		if val && !math.IsNaN(r.ValLoss) {
			valPts = append(valPts, plotter.XY{X: float64(r.Epoch), Y: r.ValLoss})
		}
	}
	if err := addLine(p, "train", trainPts, 0); err != nil {
		return err
	}
	if val {
		if err := addLine(p, "validation", valPts, 1); err != nil {
			return err
		}
	}
	p.Legend.Top = true
	w, err := p.WriterTo(6*vg.Inch, 4*vg.Inch, "png")
	if err != nil {
		return fmt.Errorf("plot: %w", err)
	}
	var buf bytes.Buffer
	if _, err := w.WriteTo(&buf); err != nil {
		return fmt.Errorf("plot: %w", err)
	}
	return exporter.AtomicWrite(path, buf.Bytes())
}

func addLine(p *plot.Plot, name string, pts plotter.XYs, style int) error {
	l, s, err := plotter.NewLinePoints(pts)
	if err != nil {
		return fmt.Errorf("plot %s: %w", name, err)
	}
	c := plotColors[style%len(plotColors)]
	l.Color, s.Color = c, c
	p.Add(l, s)
	p.Legend.Add(name, l, s)
	return nil
}

var plotColors = []color.Color{
	color.RGBA{R: 31, G: 119, B: 180, A: 255},
	color.RGBA{R: 255, G: 127, B: 14, A: 255},
}

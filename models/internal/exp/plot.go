package exp

import (
	"fmt"
	"math"
	"os"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// Series is one line of a plot.
type Series struct {
	Name   string
	X, Y   []float64
	Style  int  // colour index (plotutil.Color)
	Dashed bool // dashed line
	Points bool // draw markers too
}

// Axes describes a plot's titles and scales.
type Axes struct {
	Title, X, Y string
	LogX, LogY  bool
	// LegendBottom puts the legend in the lower right corner (default:
	// upper right).
	LegendBottom bool
	// YMin and YMax fix the Y range when YMax > YMin.
	YMin, YMax float64
}

// newPlot makes a plot of the series (points with a NaN or, on a log
// axis, a non-positive coordinate are left out).
func newPlot(a Axes, series []Series) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = a.Title
	p.X.Label.Text = a.X
	p.Y.Label.Text = a.Y
	if a.LogX {
		p.X.Scale = plot.LogScale{}
		p.X.Tick.Marker = plot.LogTicks{Prec: -1}
	}
	if a.LogY {
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = plot.LogTicks{Prec: -1}
	}
	p.Add(plotter.NewGrid())
	for _, s := range series {
		var xy plotter.XYs
		for i := range s.X {
			x, y := s.X[i], s.Y[i]
			if math.IsNaN(x) || math.IsNaN(y) || math.IsInf(x, 0) || math.IsInf(y, 0) || (a.LogX && x <= 0) || (a.LogY && y <= 0) {
				continue
			}
			xy = append(xy, plotter.XY{X: x, Y: y})
		}
		if len(xy) == 0 {
			continue
		}
		l, err := plotter.NewLine(xy)
		if err != nil {
			return nil, err
		}
		l.Color = plotutil.Color(s.Style)
		l.Width = vg.Points(1.2)
		if s.Dashed {
			l.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
		}
		p.Add(l)
		if s.Points {
			sc, err := plotter.NewScatter(xy)
			if err != nil {
				return nil, err
			}
			sc.Color = l.Color
			sc.Shape = plotutil.Shape(s.Style)
			sc.Radius = vg.Points(2.5)
			p.Add(sc)
			if s.Name != "" {
				p.Legend.Add(s.Name, l, sc)
			}
		} else if s.Name != "" {
			p.Legend.Add(s.Name, l)
		}
	}
	p.Legend.Top = !a.LegendBottom
	if a.YMax > a.YMin {
		p.Y.Min, p.Y.Max = a.YMin, a.YMax
	}
	return p, nil
}

// LinePlot writes a PNG (w×h inches) of the series.
func LinePlot(path string, a Axes, series []Series, w, h float64) error {
	p, err := newPlot(a, series)
	if err != nil {
		return err
	}
	return p.Save(vg.Length(w)*vg.Inch, vg.Length(h)*vg.Inch, path)
}

// Panel is one plot of a grid.
type Panel struct {
	Axes   Axes
	Series []Series
}

// PanelGrid writes a PNG of panels laid out in rows of cols, each panel
// pw×ph inches.
func PanelGrid(path string, panels []Panel, cols int, pw, ph float64) error {
	if len(panels) == 0 || cols <= 0 {
		return fmt.Errorf("plot: no panels")
	}
	rows := (len(panels) + cols - 1) / cols
	grid := make([][]*plot.Plot, rows)
	for r := range grid {
		grid[r] = make([]*plot.Plot, cols)
		for c := range grid[r] {
			i := r*cols + c
			if i >= len(panels) {
				continue
			}
			p, err := newPlot(panels[i].Axes, panels[i].Series)
			if err != nil {
				return err
			}
			grid[r][c] = p
		}
	}
	img := vgimg.New(vg.Length(pw*float64(cols))*vg.Inch, vg.Length(ph*float64(rows))*vg.Inch)
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: rows, Cols: cols, PadX: vg.Millimeter, PadY: vg.Millimeter, PadTop: vg.Millimeter, PadBottom: vg.Millimeter, PadLeft: vg.Millimeter, PadRight: vg.Millimeter}
	canvases := plot.Align(grid, tiles, dc)
	for r := range grid {
		for c := range grid[r] {
			if grid[r][c] != nil {
				grid[r][c].Draw(canvases[r][c])
			}
		}
	}
	return writePNG(path, img)
}

func writePNG(path string, img *vgimg.Canvas) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// matrixGrid shows a row-major matrix as a heat map with row 0 at the top.
type matrixGrid struct {
	rows, cols int
	v          []float64
}

func (g matrixGrid) Dims() (c, r int)   { return g.cols, g.rows }
func (g matrixGrid) Z(c, r int) float64 { return g.v[(g.rows-1-r)*g.cols+c] }
func (g matrixGrid) X(c int) float64    { return float64(c) }
func (g matrixGrid) Y(r int) float64    { return float64(g.rows - 1 - r) }

// HeatMap writes a PNG of a rows×cols row-major matrix (row 0 at the top)
// with a diverging colour map symmetric about zero and a colour bar.
func HeatMap(path, title, xlabel, ylabel string, rows, cols int, v []float64) error {
	if rows*cols != len(v) || rows == 0 || cols == 0 {
		return fmt.Errorf("plot: heat map of %d×%d needs %d values, got %d", rows, cols, rows*cols, len(v))
	}
	lim := 0.0
	for _, x := range v {
		lim = math.Max(lim, math.Abs(x))
	}
	if lim == 0 {
		lim = 1
	}
	cm := moreland.SmoothBlueRed()
	cm.SetMin(-lim)
	cm.SetMax(lim)
	pal := cm.Palette(255)
	hm := plotter.NewHeatMap(matrixGrid{rows, cols, v}, pal)
	hm.Min, hm.Max = -lim, lim
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = xlabel
	p.Y.Label.Text = ylabel
	p.Add(hm)
	// Row labels count from the top.
	p.Y.Tick.Marker = plot.TickerFunc(func(min, max float64) []plot.Tick {
		var ts []plot.Tick
		step := math.Max(1, math.Round(float64(rows)/5))
		for r := 0.0; r < float64(rows); r += step {
			ts = append(ts, plot.Tick{Value: float64(rows-1) - r, Label: fmt.Sprint(int(r))})
		}
		return ts
	})
	bar := &plotter.ColorBar{ColorMap: cm, Vertical: true}
	pb := plot.New()
	pb.Title.Text = " "
	pb.Add(bar)
	pb.HideX()
	pb.X.Padding = 0

	img := vgimg.New(7*vg.Inch, 6*vg.Inch)
	dc := draw.New(img)
	main := draw.Crop(dc, 0, -0.9*vg.Inch, 0, 0)
	side := draw.Crop(dc, 6.3*vg.Inch, 0, 0.35*vg.Inch, 0)
	p.Draw(main)
	pb.Draw(side)
	return writePNG(path, img)
}

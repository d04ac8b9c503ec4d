package std

import (
	"errors"
	"math"
	"testing"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// gsRun samples a 1×C×H×W map at normalized points (gx, gy).
func gsRun(t *testing.T, x *tensor.Tensor, pts [][2]float64, attrs ...runtime.Attribute) []float64 {
	t.Helper()
	g := make([]float64, 0, 2*len(pts))
	for _, p := range pts {
		g = append(g, p[0], p[1])
	}
	grid := tensor.MustFromSlice([]int{1, 1, len(pts), 2}, g)
	out := runOp(t, "GridSample", 16, attrs, 1, x, grid)[0]
	v, _ := tensor.Float64s(out)
	return v
}

// keysKernel is the cubic convolution kernel with a = -0.75.
func keysKernel(d float64) float64 {
	const a = -0.75
	d = math.Abs(d)
	switch {
	case d <= 1:
		return (a+2)*d*d*d - (a+3)*d*d + 1
	case d < 2:
		return a*d*d*d - 5*a*d*d + 8*a*d - 4*a
	}
	return 0
}

// Bilinear interpolation reproduces a linear function exactly, bicubic is
// the Keys kernel sum over the 4×4 neighbours, nearest picks the nearest
// pixel (halves to even).
func TestGridSampleLinearMap(t *testing.T) {
	const H, W = 5, 6
	f := func(y, x float64) float64 { return 2*y + 3*x + 1 }
	x := tensor.Make[float64](1, 2, H, W)
	d := tensor.Data[float64](x)
	for c := 0; c < 2; c++ {
		for i := 0; i < H; i++ {
			for j := 0; j < W; j++ {
				d[(c*H+i)*W+j] = f(float64(i), float64(j)) * float64(c+1)
			}
		}
	}
	// Pixel coordinates inside [1, size-2] so bicubic taps stay inside.
	pix := [][2]float64{{1, 1}, {1.25, 2.5}, {3.7, 2.2}, {4, 3}, {2.5, 1.5}}
	for _, align := range []int64{0, 1} {
		norm := func(p, size float64) float64 {
			if align == 1 {
				return p/(size-1)*2 - 1
			}
			return (2*p+1)/size - 1
		}
		var pts [][2]float64
		for _, p := range pix {
			pts = append(pts, [2]float64{norm(p[0], W), norm(p[1], H)})
		}
		for _, mode := range []string{"bilinear", "bicubic", "nearest"} {
			got := gsRun(t, x, pts, attrInt("align_corners", align), attrString("mode", mode))
			for c := 0; c < 2; c++ {
				for i, p := range pix {
					px, py := p[0], p[1]
					if mode == "nearest" {
						px, py = math.RoundToEven(px), math.RoundToEven(py)
					}
					want := f(py, px) * float64(c+1)
					if mode == "bicubic" {
						want = 0
						for i := math.Floor(py) - 1; i <= math.Floor(py)+2; i++ {
							for j := math.Floor(px) - 1; j <= math.Floor(px)+2; j++ {
								want += keysKernel(py-i) * keysKernel(px-j) * f(i, j) * float64(c+1)
							}
						}
					}
					if g := got[c*len(pix)+i]; math.Abs(g-want) > 1e-9 {
						t.Errorf("%s align %d point %v channel %d: %v, want %v", mode, align, p, c, g, want)
					}
				}
			}
		}
	}
}

func TestGridSamplePadding(t *testing.T) {
	x := tensor.MustFromSlice([]int{1, 1, 2, 3}, []float32{1, 2, 3, 4, 5, 6})
	for _, align := range []int64{0, 1} {
		a := attrInt("align_corners", align)
		// Far outside on the left: zeros gives 0, border the left column.
		// y = -1 with align_corners=1 is row 0 exactly.
		if align == 1 {
			if got := gsRun(t, x, [][2]float64{{-5, -1}}, a); got[0] != 0 {
				t.Errorf("zeros: %v", got)
			}
			if got := gsRun(t, x, [][2]float64{{-5, -1}, {7, 1}}, a, attrString("padding_mode", "border")); got[0] != 1 || got[1] != 6 {
				t.Errorf("border: %v", got)
			}
		}
		// Reflection: the operator's example, -3.5 reflects to 1.5, then
		// to 0.5; likewise in y.
		for _, mode := range []string{"bilinear", "nearest", "bicubic"} {
			attrs := []runtime.Attribute{a, attrString("padding_mode", "reflection"), attrString("mode", mode)}
			got := gsRun(t, x, [][2]float64{{-3.5, 0.2}, {0.5, 0.2}, {0.3, 2.6}, {0.3, -0.6}}, attrs...)
			if math.Abs(got[0]-got[1]) > 1e-6 || math.Abs(got[2]-got[3]) > 1e-6 {
				t.Errorf("reflection %s align %d: %v", mode, align, got)
			}
		}
	}
}

func TestGridSampleErrors(t *testing.T) {
	x := tensor.Make[float32](1, 1, 2, 2)
	g := tensor.Make[float32](1, 2, 2, 2)
	cases := []struct {
		attrs []runtime.Attribute
		in    []*tensor.Tensor
		want  error
	}{
		{nil, []*tensor.Tensor{tensor.Make[float32](1, 2, 2), g}, tensor.ErrShape},
		{nil, []*tensor.Tensor{x, tensor.Make[float32](1, 2, 2, 3)}, tensor.ErrShape},
		{nil, []*tensor.Tensor{x, tensor.Make[float32](2, 2, 2, 2)}, tensor.ErrShape},
		{nil, []*tensor.Tensor{x, tensor.Make[int64](1, 2, 2, 2)}, tensor.ErrDType},
		{nil, []*tensor.Tensor{tensor.Make[int32](1, 1, 2, 2), g}, tensor.ErrDType},
		{attrsOf(attrString("mode", "area")), []*tensor.Tensor{x, g}, runtime.ErrInvalidGraph},
		{attrsOf(attrString("padding_mode", "wrap")), []*tensor.Tensor{x, g}, runtime.ErrInvalidGraph},
	}
	for i, c := range cases {
		if err := runOpErr("GridSample", 16, c.attrs, 1, c.in...); !errors.Is(err, c.want) {
			t.Errorf("case %d: %v, want %v", i, err, c.want)
		}
	}
	// NaN and infinite grid points do not panic.
	nan := tensor.MustFromSlice([]int{1, 1, 3, 2}, []float32{float32(math.NaN()), 0, float32(math.Inf(1)), 0, float32(math.Inf(-1)), 1})
	for _, p := range []string{"zeros", "border", "reflection"} {
		for _, m := range []string{"bilinear", "nearest", "bicubic"} {
			runOp(t, "GridSample", 16, attrsOf(attrString("padding_mode", p), attrString("mode", m)), 1, x, nan)
		}
	}
}

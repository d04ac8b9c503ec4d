package std

import (
	"math"

	"github.com/optnet-go/optnet/internal/parallel"
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// GridSample: samples an (N, C, H, W) input at the locations of an
// (N, H_out, W_out, 2) grid of normalized (x, y) coordinates in [-1, 1],
// giving (N, C, H_out, W_out). mode: bilinear, nearest (round half to
// even) or bicubic (cubic convolution, A = -0.75); padding_mode for
// locations outside: zeros, border (clamp) or reflection (mirror at the
// border until inside); align_corners: ±1 are the centres (1) or the outer
// edges (0) of the corner pixels. Introduced in opset 16 (opset 20's N-D
// version is not implemented).

func init() {
	register(&runtime.Op{Type: "GridSample", Since: 16, Inputs: [2]int{2, 2}, Outputs: [2]int{1, 1}, Build: buildGridSample})
}

const (
	gsBilinear = iota
	gsNearest
	gsBicubic
)

const (
	gsZeros = iota
	gsBorder
	gsReflection
)

type gridSampleKernel struct {
	mode, padding int
	alignCorners  bool
}

func buildGridSample(b *runtime.BuildContext) (runtime.Kernel, error) {
	k := &gridSampleKernel{alignCorners: b.Int("align_corners", 0) != 0}
	switch m := b.String("mode", "bilinear"); m {
	case "bilinear":
		k.mode = gsBilinear
	case "nearest":
		k.mode = gsNearest
	case "bicubic":
		k.mode = gsBicubic
	default:
		return nil, b.Errorf("GridSample mode %q", m)
	}
	switch p := b.String("padding_mode", "zeros"); p {
	case "zeros":
		k.padding = gsZeros
	case "border":
		k.padding = gsBorder
	case "reflection":
		k.padding = gsReflection
	default:
		return nil, b.Errorf("GridSample padding_mode %q", p)
	}
	return k, b.Err()
}

func (k *gridSampleKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	x, grid := in[0], in[1]
	if x.Rank() != 4 || grid.Rank() != 4 || grid.Dim(3) != 2 || grid.Dim(0) != x.Dim(0) {
		return nil, errShape("GridSample needs input (N, C, H, W) and grid (N, H_out, W_out, 2), got %v and %v", x.Shape(), grid.Shape())
	}
	if !grid.DType().IsFloat() {
		return nil, errDType("GridSample grid must be float, got %v", grid.DType())
	}
	g, _ := tensor.Float64s(grid)
	switch x.DType() {
	case tensor.Float32:
		return gridSample[float32](rc, k, x, g, grid.Shape())
	case tensor.Float64:
		return gridSample[float64](rc, k, x, g, grid.Shape())
	case tensor.Float16, tensor.BFloat16:
		x32, err := tensor.Convert(x, tensor.Float32)
		if err != nil {
			return nil, err
		}
		y, err := gridSample[float32](rc, k, x32, g, grid.Shape())
		if err != nil {
			return nil, err
		}
		return out1(tensor.Convert(y[0], x.DType()))
	}
	return nil, errDType("GridSample does not support %v", x.DType())
}

// gsTaps is the interpolation of one grid point: up to 16 (offset, weight)
// pairs into an H×W plane.
type gsTaps struct {
	n   int
	off [16]int
	w   [16]float64
}

func gridSample[T tensor.Float](rc *runtime.RunContext, k *gridSampleKernel, x *tensor.Tensor, g []float64, gshape []int) ([]*tensor.Tensor, error) {
	N, C, H, W := x.Dim(0), x.Dim(1), x.Dim(2), x.Dim(3)
	Ho, Wo := gshape[1], gshape[2]
	out, err := rc.Alloc(x.DType(), N, C, Ho, Wo)
	if err != nil {
		return nil, err
	}
	xd, od := tensor.Data[T](x), tensor.Data[T](out)
	P := Ho * Wo
	for n := 0; n < N; n++ {
		if err := rc.Err(); err != nil {
			return nil, err
		}
		parallel.For(P, max(1, 2048/max(1, C)), func(lo, hi int) {
			var t gsTaps
			for p := lo; p < hi; p++ {
				gx, gy := g[(n*P+p)*2], g[(n*P+p)*2+1]
				k.taps(&t, gx, gy, H, W)
				for c := 0; c < C; c++ {
					plane := xd[(n*C+c)*H*W : (n*C+c+1)*H*W]
					v := 0.0
					for i := 0; i < t.n; i++ {
						v += t.w[i] * float64(plane[t.off[i]])
					}
					od[(n*C+c)*P+p] = T(v)
				}
			}
		})
	}
	return []*tensor.Tensor{out}, nil
}

// unnormalize maps a grid coordinate in [-1, 1] to a pixel coordinate.
func (k *gridSampleKernel) unnormalize(v float64, size int) float64 {
	if k.alignCorners {
		return (v + 1) / 2 * float64(size-1)
	}
	return ((v+1)*float64(size) - 1) / 2
}

// pad applies border clamping or reflection to a pixel coordinate (zeros
// padding leaves it as is).
func (k *gridSampleKernel) pad(v float64, size int) float64 {
	switch k.padding {
	case gsBorder:
		return math.Min(math.Max(v, 0), float64(size-1))
	case gsReflection:
		lo, hi := -0.5, float64(size)-0.5
		if k.alignCorners {
			lo, hi = 0, float64(size-1)
		}
		return math.Min(math.Max(gsReflect(v, lo, hi), 0), float64(size-1))
	}
	return v
}

// gsReflect mirrors v at lo and hi until it lies in [lo, hi].
func gsReflect(v, lo, hi float64) float64 {
	span := hi - lo
	if span <= 0 {
		return lo
	}
	d := math.Abs(v - lo)
	flips := math.Floor(d / span)
	extra := d - flips*span
	if math.Mod(flips, 2) == 0 {
		return lo + extra
	}
	return hi - extra
}

func (k *gridSampleKernel) taps(t *gsTaps, gx, gy float64, H, W int) {
	t.n = 0
	add := func(iy, ix int, w float64) {
		if iy >= 0 && iy < H && ix >= 0 && ix < W && w != 0 {
			t.off[t.n], t.w[t.n] = iy*W+ix, w
			t.n++
		}
	}
	if math.IsNaN(gx) || math.IsNaN(gy) {
		return
	}
	x, y := k.unnormalize(gx, W), k.unnormalize(gy, H)
	switch k.mode {
	case gsBilinear:
		x, y = k.pad(x, W), k.pad(y, H)
		x0, y0 := math.Floor(x), math.Floor(y)
		lx, ly := x-x0, y-y0
		ix, iy := int(x0), int(y0)
		add(iy, ix, (1-ly)*(1-lx))
		add(iy, ix+1, (1-ly)*lx)
		add(iy+1, ix, ly*(1-lx))
		add(iy+1, ix+1, ly*lx)
	case gsNearest:
		x, y = k.pad(x, W), k.pad(y, H)
		add(int(math.RoundToEven(y)), int(math.RoundToEven(x)), 1)
	case gsBicubic:
		// Taps are padded one by one (their coordinates, not the point's).
		x0, y0 := math.Floor(x), math.Floor(y)
		wx, wy := cubicWeights(x-x0), cubicWeights(y-y0)
		for i := 0; i < 4; i++ {
			ty := k.pad(y0-1+float64(i), H)
			for j := 0; j < 4; j++ {
				tx := k.pad(x0-1+float64(j), W)
				// Accumulate taps that pad onto the same pixel.
				iy, ix := int(math.Floor(ty)), int(math.Floor(tx))
				if iy < 0 || iy >= H || ix < 0 || ix >= W {
					continue
				}
				w := wy[i] * wx[j]
				off := iy*W + ix
				merged := false
				for m := 0; m < t.n; m++ {
					if t.off[m] == off {
						t.w[m] += w
						merged = true
						break
					}
				}
				if !merged && w != 0 {
					t.off[t.n], t.w[t.n] = off, w
					t.n++
				}
			}
		}
	}
}

// cubicWeights are the cubic convolution weights (A = -0.75) of the four
// taps at -1, 0, 1, 2 for a fractional position t in [0, 1).
func cubicWeights(t float64) [4]float64 {
	const a = -0.75
	near := func(d float64) float64 { return ((a+2)*d-(a+3))*d*d + 1 }  // |d| <= 1
	far := func(d float64) float64 { return ((a*d-5*a)*d+8*a)*d - 4*a } // 1 < |d| < 2
	return [4]float64{far(t + 1), near(t), near(1 - t), far(2 - t)}
}

// InferShapes: (N, C, H_out, W_out).
func (k *gridSampleKernel) InferShapes(in []runtime.Fact) ([]runtime.Fact, error) {
	f := runtime.Fact{DType: in[0].DType, Shape: []int{-1, -1, -1, -1}, HasShape: true}
	if in[0].HasShape && len(in[0].Shape) == 4 {
		f.Shape[0], f.Shape[1] = in[0].Shape[0], in[0].Shape[1]
	}
	if in[1].HasShape && len(in[1].Shape) == 4 {
		f.Shape[2], f.Shape[3] = in[1].Shape[1], in[1].Shape[2]
	}
	return []runtime.Fact{f}, nil
}

package std

import (
	"math"

	"github.com/optnet-go/optnet/internal/parallel"
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// RoiAlign: pools each region of interest (x1, y1, x2, y2, scaled by
// spatial_scale) of an (N, C, H, W) feature map into an
// output_height × output_width grid; every bin averages (mode "avg") or
// takes the maximum (mode "max") of sampling_ratio² bilinearly
// interpolated samples (adaptive ceil(roi size / bins) per axis when
// sampling_ratio is 0). Samples more than one pixel outside the map count
// as 0. Opset 10 behaves like coordinate_transformation_mode
// "output_half_pixel" (no half-pixel shift, regions at least 1 pixel);
// opset 16 adds the attribute with default "half_pixel" (shift by -0.5).
//
// Max mode takes the maximum of the interpolated sample values, as the
// operator description says (ONNX Runtime's CPU kernel instead takes the
// largest weighted corner term of each sample).

func init() {
	register(
		&runtime.Op{Type: "RoiAlign", Since: 10, Inputs: [2]int{3, 3}, Outputs: [2]int{1, 1}, Build: buildRoiAlign},
		&runtime.Op{Type: "RoiAlign", Since: 16, Inputs: [2]int{3, 3}, Outputs: [2]int{1, 1}, Build: buildRoiAlign},
	)
}

type roiAlignKernel struct {
	halfPixel bool
	max       bool
	oh, ow    int
	ratio     int
	scale     float64
}

func buildRoiAlign(b *runtime.BuildContext) (runtime.Kernel, error) {
	k := &roiAlignKernel{
		oh:    int(b.Int("output_height", 1)),
		ow:    int(b.Int("output_width", 1)),
		ratio: int(b.Int("sampling_ratio", 0)),
		scale: float64(b.Float("spatial_scale", 1)),
	}
	switch m := b.String("mode", "avg"); m {
	case "avg":
	case "max":
		k.max = true
	default:
		return nil, b.Errorf("RoiAlign mode %q, want avg or max", m)
	}
	if b.Version >= 16 {
		switch m := b.String("coordinate_transformation_mode", "half_pixel"); m {
		case "half_pixel":
			k.halfPixel = true
		case "output_half_pixel":
		default:
			return nil, b.Errorf("RoiAlign coordinate_transformation_mode %q", m)
		}
	}
	if k.oh < 1 || k.ow < 1 || k.ratio < 0 {
		return nil, b.Errorf("RoiAlign output size %dx%d and sampling_ratio %d must be positive", k.oh, k.ow, k.ratio)
	}
	return k, b.Err()
}

// roiSample is one bilinear sample: four input offsets and weights.
type roiSample struct {
	off [4]int
	w   [4]float64
	in  bool // false: the sample lies outside the map and counts as 0
}

func (k *roiAlignKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	x, rois, bi := in[0], in[1], in[2]
	if x.Rank() != 4 {
		return nil, errShape("RoiAlign input must be 4-D (N, C, H, W), got %v", x.Shape())
	}
	if rois.Rank() != 2 || rois.Dim(1) != 4 {
		return nil, errShape("RoiAlign rois must be (num_rois, 4), got %v", rois.Shape())
	}
	if bi.Rank() != 1 || bi.Dim(0) != rois.Dim(0) {
		return nil, errShape("RoiAlign batch_indices %v do not fit rois %v", bi.Shape(), rois.Shape())
	}
	if !rois.DType().IsFloat() || !bi.DType().IsInt() {
		return nil, errDType("RoiAlign rois must be float and batch_indices integer, got %v and %v", rois.DType(), bi.DType())
	}
	r, _ := tensor.Float64s(rois)
	idx, err := tensor.Int64s(bi)
	if err != nil {
		return nil, err
	}
	nr := rois.Dim(0)
	for _, b := range idx {
		if b < 0 || b >= int64(x.Dim(0)) {
			return nil, errShape("RoiAlign batch index %d out of range [0, %d)", b, x.Dim(0))
		}
	}
	shape := []int{nr, x.Dim(1), k.oh, k.ow}
	switch x.DType() {
	case tensor.Float32:
		return roiAlign[float32](rc, k, x, r, idx, shape)
	case tensor.Float64:
		return roiAlign[float64](rc, k, x, r, idx, shape)
	case tensor.Float16, tensor.BFloat16:
		x32, err := tensor.Convert(x, tensor.Float32)
		if err != nil {
			return nil, err
		}
		y, err := roiAlign[float32](rc, k, x32, r, idx, shape)
		if err != nil {
			return nil, err
		}
		return out1(tensor.Convert(y[0], x.DType()))
	}
	return nil, errDType("RoiAlign does not support %v", x.DType())
}

func roiAlign[T tensor.Float](rc *runtime.RunContext, k *roiAlignKernel, x *tensor.Tensor, rois []float64, batch []int64, shape []int) ([]*tensor.Tensor, error) {
	out, err := rc.Alloc(x.DType(), shape...)
	if err != nil {
		return nil, err
	}
	xd, od := tensor.Data[T](x), tensor.Data[T](out)
	C, H, W := x.Dim(1), x.Dim(2), x.Dim(3)
	bins := k.oh * k.ow
	for n := 0; n < shape[0]; n++ {
		if err := rc.Err(); err != nil {
			return nil, err
		}
		samples, gridN, err := k.samples(rc, rois[n*4:n*4+4], H, W)
		if err != nil {
			return nil, err
		}
		count := float64(max(gridN, 1))
		base := int(batch[n]) * C * H * W
		parallel.For(C, max(1, 4096/max(1, len(samples))), func(lo, hi int) {
			for c := lo; c < hi; c++ {
				plane := xd[base+c*H*W : base+(c+1)*H*W]
				dst := od[(n*C+c)*bins : (n*C+c+1)*bins]
				for bin := range dst {
					ss := samples[bin*gridN : (bin+1)*gridN]
					acc := 0.0
					if k.max && len(ss) > 0 {
						acc = math.Inf(-1)
					}
					for _, s := range ss {
						v := 0.0
						if s.in {
							v = s.w[0]*float64(plane[s.off[0]]) + s.w[1]*float64(plane[s.off[1]]) +
								s.w[2]*float64(plane[s.off[2]]) + s.w[3]*float64(plane[s.off[3]])
						}
						if k.max {
							acc = math.Max(acc, v)
						} else {
							acc += v
						}
					}
					if !k.max {
						acc /= count
					}
					dst[bin] = T(acc)
				}
			}
		})
	}
	return []*tensor.Tensor{out}, nil
}

// samples lays out the sampling points of one region, gridN per bin,
// bins in row-major order.
func (k *roiAlignKernel) samples(rc *runtime.RunContext, roi []float64, H, W int) ([]roiSample, int, error) {
	off := 0.0
	if k.halfPixel {
		off = 0.5
	}
	x1, y1 := roi[0]*k.scale-off, roi[1]*k.scale-off
	x2, y2 := roi[2]*k.scale-off, roi[3]*k.scale-off
	rw, rh := x2-x1, y2-y1
	if !k.halfPixel {
		rw, rh = math.Max(rw, 1), math.Max(rh, 1)
	}
	binH, binW := rh/float64(k.oh), rw/float64(k.ow)
	if math.IsNaN(binH) || math.IsNaN(binW) {
		return nil, 0, errShape("RoiAlign region %v is not a number", roi)
	}
	gh, gw := k.ratio, k.ratio
	if k.ratio == 0 {
		gh, gw = int(math.Min(math.Max(0, math.Ceil(binH)), 1<<30)), int(math.Min(math.Max(0, math.Ceil(binW)), 1<<30))
	}
	// The sample table is as large as the work; bound it like a tensor
	// (a sample takes about nine float64s).
	total := float64(k.oh) * float64(k.ow) * float64(gh) * float64(gw)
	if err := rc.CheckSize(tensor.Float64, []int{int(math.Min(total*9, math.MaxInt/2))}); err != nil {
		return nil, 0, err
	}
	gridN := gh * gw
	ss := make([]roiSample, 0, int(total))
	for ph := 0; ph < k.oh; ph++ {
		for pw := 0; pw < k.ow; pw++ {
			for iy := 0; iy < gh; iy++ {
				y := y1 + float64(ph)*binH + (float64(iy)+0.5)*binH/float64(gh)
				for ix := 0; ix < gw; ix++ {
					x := x1 + float64(pw)*binW + (float64(ix)+0.5)*binW/float64(gw)
					ss = append(ss, bilinearSample(y, x, H, W))
				}
			}
		}
	}
	return ss, gridN, nil
}

// bilinearSample gives the bilinear interpolation of point (y, x) of an
// H×W plane; points within one pixel outside are clamped to the edge.
func bilinearSample(y, x float64, H, W int) roiSample {
	if y < -1 || y > float64(H) || x < -1 || x > float64(W) || H == 0 || W == 0 {
		return roiSample{}
	}
	y, x = math.Max(y, 0), math.Max(x, 0)
	yl, xl := int(y), int(x)
	var yh, xh int
	if yl >= H-1 {
		yl, yh, y = H-1, H-1, float64(H-1)
	} else {
		yh = yl + 1
	}
	if xl >= W-1 {
		xl, xh, x = W-1, W-1, float64(W-1)
	} else {
		xh = xl + 1
	}
	ly, lx := y-float64(yl), x-float64(xl)
	hy, hx := 1-ly, 1-lx
	return roiSample{
		off: [4]int{yl*W + xl, yl*W + xh, yh*W + xl, yh*W + xh},
		w:   [4]float64{hy * hx, hy * lx, ly * hx, ly * lx},
		in:  true,
	}
}

// InferShapes: (num_rois, C, output_height, output_width).
func (k *roiAlignKernel) InferShapes(in []runtime.Fact) ([]runtime.Fact, error) {
	f := runtime.Fact{DType: in[0].DType, Shape: []int{-1, -1, k.oh, k.ow}, HasShape: true}
	if in[1].HasShape && len(in[1].Shape) == 2 {
		f.Shape[0] = in[1].Shape[0]
	}
	if in[0].HasShape && len(in[0].Shape) == 4 {
		f.Shape[1] = in[0].Shape[1]
	}
	return []runtime.Fact{f}, nil
}

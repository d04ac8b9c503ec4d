package std

import (
	"errors"
	"math"
	"testing"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// On a linear map f(y, x) = 3y + 2x + 1 bilinear interpolation is exact,
// so a bin's average is f at the bin centre and its maximum is f at the
// last sample (largest y and x).
func TestRoiAlignLinearMap(t *testing.T) {
	const H, W = 10, 12
	f := func(y, x float64) float64 { return 3*y + 2*x + 1 }
	x := tensor.Make[float64](2, 2, H, W)
	d := tensor.Data[float64](x)
	for b := 0; b < 2; b++ {
		for c := 0; c < 2; c++ {
			for i := 0; i < H; i++ {
				for j := 0; j < W; j++ {
					d[((b*2+c)*H+i)*W+j] = f(float64(i), float64(j)) * float64(1+c) * float64(1+10*b)
				}
			}
		}
	}
	rois := []float64{2, 3, 14, 11, 4, 2, 10, 16} // in image coordinates (scale 0.5)
	for _, c := range []struct {
		version int
		mode    string
		ctm     string
		ratio   int64
	}{
		{10, "avg", "", 2}, {16, "avg", "half_pixel", 2}, {16, "avg", "output_half_pixel", 0},
		{16, "max", "half_pixel", 3}, {16, "avg", "half_pixel", 0},
	} {
		attrs := attrsOf(attrInt("output_height", 3), attrInt("output_width", 2), attrInt("sampling_ratio", c.ratio),
			attrFloat("spatial_scale", 0.5), attrString("mode", c.mode))
		if c.ctm != "" {
			attrs = append(attrs, attrString("coordinate_transformation_mode", c.ctm))
		}
		got := runOp(t, "RoiAlign", c.version, attrs, 1, x, tensor.MustFromSlice([]int{2, 4}, rois), tensor.MustFromSlice([]int{2}, []int64{1, 0}))[0]
		want := tensor.Make[float64](2, 2, 3, 2)
		wd := tensor.Data[float64](want)
		off := 0.0
		if c.ctm == "half_pixel" {
			off = 0.5
		}
		for n, b := range []int{1, 0} {
			x1, y1, x2, y2 := rois[n*4]*0.5-off, rois[n*4+1]*0.5-off, rois[n*4+2]*0.5-off, rois[n*4+3]*0.5-off
			bh, bw := (y2-y1)/3, (x2-x1)/2
			gh, gw := float64(c.ratio), float64(c.ratio)
			if c.ratio == 0 {
				gh, gw = math.Ceil(bh), math.Ceil(bw)
			}
			for ch := 0; ch < 2; ch++ {
				for ph := 0; ph < 3; ph++ {
					for pw := 0; pw < 2; pw++ {
						yc, xc := y1+(float64(ph)+0.5)*bh, x1+(float64(pw)+0.5)*bw
						if c.mode == "max" {
							yc, xc = y1+float64(ph)*bh+(gh-0.5)*bh/gh, x1+float64(pw)*bw+(gw-0.5)*bw/gw
						}
						wd[((n*2+ch)*3+ph)*2+pw] = f(yc, xc) * float64(1+ch) * float64(1+10*b)
					}
				}
			}
		}
		assertClose(t, got, want, 1e-12, 1e-9)
	}
}

func TestRoiAlignOutside(t *testing.T) {
	x := tensor.MustFromSlice([]int{1, 1, 2, 2}, []float32{1, 2, 3, 4})
	// A region far outside the map: every sample is 0.
	got := runOp(t, "RoiAlign", 16, attrsOf(attrInt("sampling_ratio", 1)), 1, x,
		tensor.MustFromSlice([]int{1, 4}, []float32{10, 10, 12, 12}), tensor.MustFromSlice([]int{1}, []int64{0}))[0]
	assertClose(t, got, tensor.MustFromSlice([]int{1, 1, 1, 1}, []float32{0}), 0, 0)
	// Within one pixel outside: clamped to the edge value.
	got = runOp(t, "RoiAlign", 16, attrsOf(attrInt("sampling_ratio", 1), attrString("coordinate_transformation_mode", "output_half_pixel")), 1, x,
		tensor.MustFromSlice([]int{1, 4}, []float32{1.5, 1.5, 2.1, 2.1}), tensor.MustFromSlice([]int{1}, []int64{0}))[0]
	assertClose(t, got, tensor.MustFromSlice([]int{1, 1, 1, 1}, []float32{4}), 0, 0)
	// float16 input.
	h, _ := tensor.Convert(x, tensor.Float16)
	got = runOp(t, "RoiAlign", 16, attrsOf(attrInt("sampling_ratio", 1), attrString("coordinate_transformation_mode", "output_half_pixel")), 1, h,
		tensor.MustFromSlice([]int{1, 4}, []float32{0, 0, 1, 1}), tensor.MustFromSlice([]int{1}, []int64{0}))[0]
	if got.DType() != tensor.Float16 || tensor.Data[tensor.F16](got)[0].Float32() != 2.5 {
		t.Fatalf("float16: %v", got)
	}
}

func TestRoiAlignErrors(t *testing.T) {
	x := tensor.Make[float32](1, 1, 4, 4)
	rois := tensor.MustFromSlice([]int{1, 4}, []float32{0, 0, 2, 2})
	bi := tensor.MustFromSlice([]int{1}, []int64{0})
	cases := []struct {
		attrs []runtime.Attribute
		in    []*tensor.Tensor
		want  error
	}{
		{nil, []*tensor.Tensor{tensor.Make[float32](1, 4, 4), rois, bi}, tensor.ErrShape},
		{nil, []*tensor.Tensor{x, tensor.Make[float32](1, 3), bi}, tensor.ErrShape},
		{nil, []*tensor.Tensor{x, rois, tensor.MustFromSlice([]int{2}, []int64{0, 0})}, tensor.ErrShape},
		{nil, []*tensor.Tensor{x, rois, tensor.MustFromSlice([]int{1}, []int64{1})}, tensor.ErrShape},
		{nil, []*tensor.Tensor{x, rois, tensor.MustFromSlice([]int{1}, []float32{0})}, tensor.ErrDType},
		{nil, []*tensor.Tensor{tensor.Make[int32](1, 1, 4, 4), rois, bi}, tensor.ErrDType},
		{attrsOf(attrString("mode", "median")), []*tensor.Tensor{x, rois, bi}, runtime.ErrInvalidGraph},
		{attrsOf(attrInt("output_height", 0)), []*tensor.Tensor{x, rois, bi}, runtime.ErrInvalidGraph},
		{attrsOf(attrString("coordinate_transformation_mode", "asymmetric")), []*tensor.Tensor{x, rois, bi}, runtime.ErrInvalidGraph},
		// A huge region with adaptive sampling exceeds the size limit.
		{nil, []*tensor.Tensor{x, tensor.MustFromSlice([]int{1, 4}, []float32{0, 0, 1e9, 1e9}), bi}, runtime.ErrTooLarge},
	}
	for i, c := range cases {
		if err := runOpErr("RoiAlign", 16, c.attrs, 1, c.in...); !errors.Is(err, c.want) {
			t.Errorf("case %d: %v, want %v", i, err, c.want)
		}
	}
}

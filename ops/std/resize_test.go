package std

import (
	"testing"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// shpResize1D runs Resize-13 on a 1-D input by scales or sizes.
func shpResize1D(t *testing.T, attrs []runtime.Attribute, x *tensor.Tensor, scale float32, size int64) *tensor.Tensor {
	t.Helper()
	if size > 0 {
		return runOp(t, "Resize", 13, attrs, 1, x, nil, nil, shpI64(size))[0]
	}
	return runOp(t, "Resize", 13, attrs, 1, x, nil, tensor.MustFromSlice([]int{1}, []float32{scale}))[0]
}

func TestResizeNearestModes(t *testing.T) {
	asym := attrString("coordinate_transformation_mode", "asymmetric")
	x := shpF64([]int{3}, 10, 20, 30)
	// x_original = o/2: 0, .5, 1, 1.5, 2, 2.5.
	cases := map[string][]float64{
		"round_prefer_floor": {10, 10, 20, 20, 30, 30},
		"round_prefer_ceil":  {10, 20, 20, 30, 30, 30},
		"floor":              {10, 10, 20, 20, 30, 30},
		"ceil":               {10, 20, 20, 30, 30, 30},
	}
	for mode, want := range cases {
		got := shpResize1D(t, attrsOf(asym, attrString("nearest_mode", mode)), x, 2, 0)
		shpWantF64(t, got, []int{6}, want)
	}
	// Downsampling 4 -> 3: x_original = 0, 4/3, 8/3.
	y := shpF64([]int{4}, 10, 20, 30, 40)
	shpWantF64(t, shpResize1D(t, attrsOf(asym), y, 0, 3), []int{3}, []float64{10, 20, 40})
	shpWantF64(t, shpResize1D(t, attrsOf(asym, attrString("nearest_mode", "floor")), y, 0, 3), []int{3}, []float64{10, 20, 30})
	// half_pixel: x_original = o/2 - 1/4.
	shpWantF64(t, shpResize1D(t, nil, shpF64([]int{2}, 10, 20), 2, 0), []int{4}, []float64{10, 10, 20, 20})
}

func TestResizeLinear(t *testing.T) {
	lin := attrString("mode", "linear")
	x := shpF64([]int{2}, 1, 3)
	shpWantF64(t, shpResize1D(t, attrsOf(lin), x, 2, 0), []int{4}, []float64{1, 1.5, 2.5, 3})
	shpWantF64(t, shpResize1D(t, attrsOf(lin, attrString("coordinate_transformation_mode", "align_corners")), x, 0, 3), []int{3}, []float64{1, 2, 3})
	// pytorch_half_pixel with one output takes position 0.
	shpWantF64(t, shpResize1D(t, attrsOf(lin, attrString("coordinate_transformation_mode", "pytorch_half_pixel")), x, 0, 1), []int{1}, []float64{1})
	// Integers round.
	u := tensor.MustFromSlice([]int{2}, []uint8{0, 255})
	got := shpResize1D(t, attrsOf(lin, attrString("coordinate_transformation_mode", "asymmetric")), u, 2, 0)
	if d := tensor.Data[uint8](got); d[0] != 0 || d[1] != 128 || d[2] != 255 || d[3] != 255 {
		t.Fatalf("uint8 linear %v", d)
	}
}

func TestResizeCubic(t *testing.T) {
	asym := attrString("coordinate_transformation_mode", "asymmetric")
	cubic := attrString("mode", "cubic")
	x := shpF64([]int{4}, 1, 2, 4, 8)
	// At x_original = 1.5 the Keys weights (a = -0.75) are
	// -0.09375, 0.59375, 0.59375, -0.09375.
	got := shpResize1D(t, attrsOf(cubic, asym), x, 2, 0)
	assertClose(t, tensor.MustFromSlice([]int{1}, tensor.Data[float64](got)[3:4]), shpF64([]int{1}, 2.71875), 0, 1e-12)
	// At 0.5 the first tap is outside: clamped, or excluded and the rest
	// renormalised.
	assertClose(t, tensor.MustFromSlice([]int{1}, tensor.Data[float64](got)[1:2]), shpF64([]int{1}, 1.3125), 0, 1e-12)
	ex := shpResize1D(t, attrsOf(cubic, asym, attrInt("exclude_outside", 1)), x, 2, 0)
	assertClose(t, tensor.MustFromSlice([]int{1}, tensor.Data[float64](ex)[1:2]), shpF64([]int{1}, 1.40625/1.09375), 0, 1e-12)
	// With a = -0.5 cubic reproduces a linear ramp away from the edges.
	ramp := shpIota(8)
	got = shpResize1D(t, attrsOf(cubic, asym, attrFloat("cubic_coeff_a", -0.5)), ramp, 2, 0)
	for o := 2; o <= 10; o++ {
		if v := tensor.Data[float64](got)[o]; v < float64(o)/2-1e-12 || v > float64(o)/2+1e-12 {
			t.Fatalf("ramp at %d: %v, want %v", o, v, float64(o)/2)
		}
	}
}

func TestResizeCropAndResize(t *testing.T) {
	x := shpF64([]int{4}, 0, 10, 20, 30)
	roi := tensor.MustFromSlice([]int{2}, []float32{0.5, 1.5})
	attrs := attrsOf(attrString("mode", "linear"), attrString("coordinate_transformation_mode", "tf_crop_and_resize"), attrFloat("extrapolation_value", 99))
	// x_original = 1.5 + 1.5*o: 1.5, 3, 4.5 (outside).
	got := runOp(t, "Resize", 13, attrs, 1, x, roi, nil, shpI64(3))[0]
	shpWantF64(t, got, []int{3}, []float64{15, 30, 99})
	attrs[0] = attrString("mode", "nearest")
	got = runOp(t, "Resize", 13, attrs, 1, x, roi, nil, shpI64(3))[0]
	shpWantF64(t, got, []int{3}, []float64{10, 30, 99})
}

func TestResizeLegacyAndUpsample(t *testing.T) {
	x := shpF64([]int{1, 2}, 1, 3)
	// Upsample-7: scales attribute, nearest by truncation.
	got := runOp(t, "Upsample", 7, attrsOf(attrFloats("scales", 1, 2)), 1, x)[0]
	shpWantF64(t, got, []int{1, 4}, []float64{1, 1, 3, 3})
	// Upsample-9 linear: asymmetric coordinates.
	sc := tensor.MustFromSlice([]int{2}, []float32{1, 2})
	got = runOp(t, "Upsample", 9, attrsOf(attrString("mode", "linear")), 1, x, sc)[0]
	shpWantF64(t, got, []int{1, 4}, []float64{1, 2, 3, 3})
	// Resize-10 downsampling nearest rounds up.
	y := shpF64([]int{1, 4}, 10, 20, 30, 40)
	got = runOp(t, "Resize", 10, nil, 1, y, tensor.MustFromSlice([]int{2}, []float32{1, 0.6}))[0]
	shpWantF64(t, got, []int{1, 2}, []float64{10, 30})
	// Resize-11 takes roi and scales as required inputs (here empty).
	empty := tensor.Make[float32](0)
	got = runOp(t, "Resize", 11, nil, 1, x, empty, empty, shpI64(1, 4))[0]
	shpWantF64(t, got, []int{1, 4}, []float64{1, 1, 3, 3})
}

func TestResizeErrors(t *testing.T) {
	x := shpIota(2, 2)
	sc := tensor.MustFromSlice([]int{2}, []float32{1, 2})
	shpWantErr(t, runOpErr("Resize", 13, nil, 1, x, nil, sc, shpI64(2, 2)), tensor.ErrShape)
	shpWantErr(t, runOpErr("Resize", 13, nil, 1, x, nil, tensor.MustFromSlice([]int{1}, []float32{2})), tensor.ErrShape)
	shpWantErr(t, runOpErr("Resize", 13, nil, 1, x, nil, tensor.MustFromSlice([]int{2}, []float32{1, -2})), tensor.ErrShape)
	shpWantErr(t, runOpErr("Resize", 13, nil, 1, x, nil, nil, shpI64(2)), tensor.ErrShape)
	shpWantErr(t, runOpErr("Resize", 13, nil, 1, x), tensor.ErrShape)
	shpWantErr(t, runOpErr("Resize", 13, nil, 1, x, nil, tensor.MustFromSlice([]int{2}, []float32{1e7, 1e7})), runtime.ErrTooLarge)
	shpWantErr(t, runOpErr("Resize", 13, nil, 1, x, nil, tensor.MustFromSlice([]int{2}, []float32{1, 1e30})), runtime.ErrTooLarge)
	shpWantErr(t, runOpErr("Resize", 13, nil, 1, x, nil, nil, shpI64(1_000_000, 1_000_000)), runtime.ErrTooLarge)
	shpWantErr(t, runOpErr("Resize", 13, attrsOf(attrString("mode", "area")), 1, x, nil, sc), runtime.ErrInvalidGraph)
	shpWantErr(t, runOpErr("Resize", 13, attrsOf(attrString("mode", "linear")), 1, tensor.MustFromSlice([]int{1}, []string{"a"}), nil, tensor.MustFromSlice([]int{1}, []float32{2})), tensor.ErrDType)
}

func TestResizeInferShapes(t *testing.T) {
	k := &resizeKernel{roiIn: 1, scalesIn: 2, sizesIn: 3}
	sc := runtime.FactOf(tensor.MustFromSlice([]int{2}, []float32{2, 0.5}))
	shpWantShape(t, shpInfer(t, k, shpFact(tensor.Float32, 3, -1), runtime.Fact{Absent: true}, sc, runtime.Fact{Absent: true})[0], 6, -1)
	shpWantShape(t, shpInfer(t, k, shpFact(tensor.Float32, 3, 5), runtime.Fact{Absent: true}, runtime.Fact{Absent: true}, runtime.FactOf(shpI64(7, 1)))[0], 7, 1)
}

// Shrinking one axis while growing another must not build the large
// intermediate (an input [n, 1] resized to [1, n] through [n, n]).
func TestResizeIntermediateStaysSmall(t *testing.T) {
	const n = 100000
	x := tensor.Make[float32](n, 1)
	tensor.Data[float32](x)[0] = 1
	got := runOp(t, "Resize", 13, attrsOf(attrString("mode", "linear"), attrString("coordinate_transformation_mode", "align_corners")), 1, x, nil, nil, shpI64(1, n))[0]
	if !tensor.SameShape(got.Shape(), []int{1, n}) || tensor.Data[float32](got)[n-1] != 1 {
		t.Fatalf("got %v", got)
	}
}

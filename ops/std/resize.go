package std

import (
	"fmt"
	"math"

	"github.com/optnet-go/optnet/internal/parallel"
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// Resize: resamples a tensor to new dims (given by scales, output dim =
// floor(dim*scale), or by sizes) with nearest, (multi)linear or
// (multi)cubic interpolation, done separably one axis at a time. Each
// output coordinate maps to an input coordinate by
// coordinate_transformation_mode (half_pixel, pytorch_half_pixel,
// align_corners, asymmetric, tf_half_pixel_for_nn, tf_crop_and_resize with
// a region of interest and extrapolation_value); nearest rounds it by
// nearest_mode; cubic uses cubic_coeff_a and optionally excludes taps
// outside the input (exclude_outside). Opset 10 takes (X, scales) with
// asymmetric coordinates; opset 11 adds roi, sizes and the attributes;
// opset 13 makes roi and scales optional and drops tf_half_pixel_for_nn.
// Upsample (opsets 7 and 9, deprecated in 10) is opset-10 Resize with
// scales as an attribute (7) or input (9).

func init() {
	register(
		&runtime.Op{Type: "Resize", Since: 10, Inputs: [2]int{2, 2}, Outputs: [2]int{1, 1}, Build: buildResize},
		&runtime.Op{Type: "Resize", Since: 11, Inputs: [2]int{3, 4}, Optional: []int{1, 2}, Outputs: [2]int{1, 1}, Build: buildResize},
		&runtime.Op{Type: "Resize", Since: 13, Inputs: [2]int{1, 4}, Outputs: [2]int{1, 1}, Build: buildResize},
		&runtime.Op{Type: "Upsample", Since: 7, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1}, Build: buildResize},
		&runtime.Op{Type: "Upsample", Since: 9, Inputs: [2]int{2, 2}, Outputs: [2]int{1, 1}, Build: buildResize},
	)
}

type resizeMode int

const (
	resizeNearest resizeMode = iota
	resizeLinear
	resizeCubic
)

type resizeCoordMode int

const (
	resizeHalfPixel resizeCoordMode = iota
	resizePytorchHalfPixel
	resizeAlignCorners
	resizeAsymmetric
	resizeTFHalfPixelNN
	resizeTFCropResize
)

type resizeNearestMode int

const (
	resizeRoundPreferFloor resizeNearestMode = iota
	resizeRoundPreferCeil
	resizeFloor
	resizeCeil
	// resizeSimple is opset-10 Resize and Upsample: truncate when
	// upsampling, round up when downsampling.
	resizeSimple
)

type resizeKernel struct {
	mode    resizeMode
	coord   resizeCoordMode
	nearest resizeNearestMode
	cubicA  float64
	exclude bool
	extrap  float64
	// Input positions; -1 when the version has no such input.
	roiIn, scalesIn, sizesIn int
	attrScales               []float32 // Upsample-7
}

func buildResize(b *runtime.BuildContext) (runtime.Kernel, error) {
	k := &resizeKernel{roiIn: -1, scalesIn: -1, sizesIn: -1, cubicA: -0.75}
	legacy := b.Node.OpType == "Upsample" || b.Version < 11
	switch m := b.String("mode", "nearest"); {
	case m == "nearest":
	case m == "linear" || (legacy && m == "bilinear"):
		k.mode = resizeLinear
	case m == "cubic" && !legacy:
		k.mode = resizeCubic
	default:
		b.Errorf("%s mode %q is not supported", b.Node.OpType, m)
	}
	switch {
	case b.Node.OpType == "Upsample" && b.Version < 9:
		k.attrScales = b.Floats("scales", nil)
		if !b.HasAttr("scales") {
			b.Errorf("Upsample-7 needs the scales attribute")
		}
	case legacy:
		k.scalesIn = 1
	default:
		k.roiIn, k.scalesIn, k.sizesIn = 1, 2, 3
	}
	if legacy {
		k.coord, k.nearest = resizeAsymmetric, resizeSimple
		return k, b.Err()
	}
	switch c := b.String("coordinate_transformation_mode", "half_pixel"); c {
	case "half_pixel":
	case "pytorch_half_pixel":
		k.coord = resizePytorchHalfPixel
	case "align_corners":
		k.coord = resizeAlignCorners
	case "asymmetric":
		k.coord = resizeAsymmetric
	case "tf_half_pixel_for_nn":
		k.coord = resizeTFHalfPixelNN
	case "tf_crop_and_resize":
		k.coord = resizeTFCropResize
	default:
		b.Errorf("Resize coordinate_transformation_mode %q is not supported", c)
	}
	switch n := b.String("nearest_mode", "round_prefer_floor"); n {
	case "round_prefer_floor":
	case "round_prefer_ceil":
		k.nearest = resizeRoundPreferCeil
	case "floor":
		k.nearest = resizeFloor
	case "ceil":
		k.nearest = resizeCeil
	default:
		b.Errorf("Resize nearest_mode %q is not supported", n)
	}
	k.cubicA = float64(b.Float("cubic_coeff_a", -0.75))
	k.exclude = b.Int("exclude_outside", 0) != 0
	k.extrap = float64(b.Float("extrapolation_value", 0))
	return k, b.Err()
}

// resizeGeom is the resolved resize: per axis, the output length, the
// scale and the region of interest.
type resizeGeom struct {
	out      []int
	scale    []float64
	roiStart []float64
	roiEnd   []float64
}

// resizeInput returns input i when the node gives it non-empty.
func resizeInput(in []*tensor.Tensor, i int) *tensor.Tensor {
	if i < 0 || i >= len(in) || in[i] == nil || in[i].Len() == 0 {
		return nil
	}
	return in[i]
}

func (k *resizeKernel) geometry(in []*tensor.Tensor) (resizeGeom, error) {
	x := in[0]
	r := x.Rank()
	g := resizeGeom{out: make([]int, r), scale: make([]float64, r), roiStart: make([]float64, r), roiEnd: make([]float64, r)}
	for i := range g.roiEnd {
		g.roiEnd[i] = 1
	}
	if roi := resizeInput(in, k.roiIn); roi != nil && k.coord == resizeTFCropResize {
		v, err := tensor.Float64s(roi)
		if err != nil {
			return g, err
		}
		if len(v) != 2*r {
			return g, errShape("Resize roi has %d values for rank %d", len(v), r)
		}
		copy(g.roiStart, v[:r])
		copy(g.roiEnd, v[r:])
	}
	scalesT, sizesT := resizeInput(in, k.scalesIn), resizeInput(in, k.sizesIn)
	var scales []float64
	switch {
	case k.attrScales != nil:
		scales = make([]float64, len(k.attrScales))
		for i, s := range k.attrScales {
			scales[i] = float64(s)
		}
	case scalesT != nil && sizesT != nil:
		return g, errShape("Resize takes scales or sizes, not both")
	case scalesT != nil:
		if !scalesT.DType().IsFloat() {
			return g, errDType("Resize scales must be float, got %v", scalesT.DType())
		}
		v, err := tensor.Float64s(scalesT)
		if err != nil {
			return g, err
		}
		scales = v
	case sizesT != nil:
		v, err := shpInts(sizesT, "Resize sizes")
		if err != nil {
			return g, err
		}
		if len(v) != r {
			return g, errShape("Resize sizes has %d values for rank %d", len(v), r)
		}
		dims, err := shpDims(v, "Resize sizes")
		if err != nil {
			return g, err
		}
		for i, d := range dims {
			g.out[i] = d
			g.scale[i] = 1
			if x.Dim(i) > 0 {
				g.scale[i] = float64(d) / float64(x.Dim(i))
			}
		}
		return g, nil
	default:
		return g, errShape("Resize needs scales or sizes")
	}
	if len(scales) != r {
		return g, errShape("%d scales for rank %d", len(scales), r)
	}
	for i, s := range scales {
		if !(s > 0) || math.IsInf(s, 0) {
			return g, errShape("scale %v must be positive", s)
		}
		n := math.Floor(float64(x.Dim(i)) * s)
		if n > 1<<50 {
			return g, fmt.Errorf("resize output dim %v: %w", n, runtime.ErrTooLarge)
		}
		g.out[i], g.scale[i] = int(n), s
	}
	return g, nil
}

// source maps output coordinate o of an axis to the input coordinate.
func (k *resizeKernel) source(o int, inLen, outLen int, scale, start, end float64) float64 {
	x := float64(o)
	in := float64(inLen)
	outF := scale * in // the reference uses the unrounded output length
	switch k.coord {
	case resizeHalfPixel:
		return (x+0.5)/scale - 0.5
	case resizePytorchHalfPixel:
		if outLen > 1 {
			return (x+0.5)/scale - 0.5
		}
		return 0
	case resizeAlignCorners:
		if outF == 1 {
			return 0
		}
		return x * (in - 1) / (outF - 1)
	case resizeTFHalfPixelNN:
		return (x + 0.5) / scale
	case resizeTFCropResize:
		if outF == 1 {
			return (end - start) * (in - 1) / 2
		}
		return start*(in-1) + x*(end-start)*(in-1)/(outF-1)
	}
	return x / scale
}

// nearestIndex rounds an input coordinate to an index (not yet clamped).
func (k *resizeKernel) nearestIndex(x, scale float64) int {
	f := math.Floor(x)
	if f == x {
		return int(f)
	}
	r := x - f
	switch k.nearest {
	case resizeRoundPreferFloor:
		if r <= 0.5 {
			return int(f)
		}
	case resizeRoundPreferCeil:
		if r < 0.5 {
			return int(f)
		}
	case resizeFloor:
		return int(f)
	case resizeSimple:
		if scale >= 1 {
			return int(f)
		}
	}
	return int(f) + 1
}

// resizeTaps describes one axis of the resize: output position o reads input
// positions idx[o*n:(o+1)*n] with weights w[o*n:(o+1)*n], or is the
// extrapolation value when outside[o].
type resizeTaps struct {
	n       int
	idx     []int
	w       []float64
	outside []bool
}

func (k *resizeKernel) axisTaps(inLen, outLen int, scale, start, end float64) resizeTaps {
	n := map[resizeMode]int{resizeNearest: 1, resizeLinear: 2, resizeCubic: 4}[k.mode]
	t := resizeTaps{n: n, idx: make([]int, outLen*n), w: make([]float64, outLen*n), outside: make([]bool, outLen)}
	clamp := func(i int) int { return min(max(i, 0), inLen-1) }
	for o := 0; o < outLen; o++ {
		x := k.source(o, inLen, outLen, scale, start, end)
		if k.coord == resizeTFCropResize && (x < 0 || x > float64(inLen-1)) {
			t.outside[o] = true
			continue
		}
		idx, w := t.idx[o*n:(o+1)*n], t.w[o*n:(o+1)*n]
		switch k.mode {
		case resizeNearest:
			idx[0], w[0] = clamp(k.nearestIndex(x, scale)), 1
		case resizeLinear:
			f := math.Floor(x)
			r := x - f
			idx[0], idx[1] = clamp(int(f)), clamp(int(f)+1)
			w[0], w[1] = 1-r, r
		case resizeCubic:
			f := math.Floor(x)
			r := x - f
			a := k.cubicA
			c := [4]float64{
				((a*(r+1)-5*a)*(r+1)+8*a)*(r+1) - 4*a,
				((a+2)*r-(a+3))*r*r + 1,
				((a+2)*(1-r)-(a+3))*(1-r)*(1-r) + 1,
				((a*(2-r)-5*a)*(2-r)+8*a)*(2-r) - 4*a,
			}
			sum := 0.0
			for j := 0; j < 4; j++ {
				p := int(f) - 1 + j
				if k.exclude && (p < 0 || p >= inLen) {
					c[j] = 0
				}
				sum += c[j]
				idx[j], w[j] = clamp(p), c[j]
			}
			if k.exclude && sum != 0 {
				for j := range w {
					w[j] /= sum
				}
			}
		}
	}
	return t
}

// identityAxis reports whether resizing the axis changes nothing.
func (k *resizeKernel) identityAxis(inLen, outLen int, scale float64) bool {
	return inLen == outLen && scale == 1 && k.coord != resizeTFCropResize && k.coord != resizeTFHalfPixelNN
}

func (k *resizeKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	x := in[0]
	g, err := k.geometry(in)
	if err != nil {
		return nil, err
	}
	if err := rc.CheckSize(x.DType(), g.out); err != nil {
		return nil, err
	}
	if tensor.NumElements(g.out) > 0 && x.Len() == 0 {
		return nil, errShape("Resize of an empty input %v to %v", x.Shape(), g.out)
	}
	if k.mode == resizeNearest {
		return k.runNearest(x, g)
	}
	if !x.DType().IsNumeric() {
		return nil, errDType("Resize %v with interpolation", x.DType())
	}
	f, err := tensor.Convert(x, tensor.Float64)
	if err != nil {
		return nil, err
	}
	cur := tensor.Data[float64](f)
	shape := append([]int(nil), x.Shape()...)
	// Shrinking axes go first so intermediate results stay no larger than
	// the input or the output; within each group, innermost axes first.
	var order []int
	for pass := 0; pass < 2; pass++ {
		for a := x.Rank() - 1; a >= 0; a-- {
			if (g.out[a] < shape[a]) == (pass == 0) {
				order = append(order, a)
			}
		}
	}
	for _, a := range order {
		if k.identityAxis(shape[a], g.out[a], g.scale[a]) {
			continue
		}
		if err := rc.Err(); err != nil {
			return nil, err
		}
		next := append([]int(nil), shape...)
		next[a] = g.out[a]
		if err := rc.CheckSize(tensor.Float64, next); err != nil {
			return nil, err
		}
		t := k.axisTaps(shape[a], g.out[a], g.scale[a], g.roiStart[a], g.roiEnd[a])
		cur = k.resizeAxis(cur, shape, a, g.out[a], t)
		shape = next
	}
	res, err := tensor.FromSlice(shape, cur)
	if err != nil {
		return nil, err
	}
	if x.DType().IsInt() {
		for i, v := range cur {
			cur[i] = math.Round(v)
		}
	}
	return out1(tensor.Convert(res, x.DType()))
}

// resizeAxis resamples axis a of src (shape) to n positions.
func (k *resizeKernel) resizeAxis(src []float64, shape []int, a, n int, t resizeTaps) []float64 {
	outer := tensor.NumElements(shape[:a])
	inner := tensor.NumElements(shape[a+1:])
	m := shape[a]
	dst := make([]float64, outer*n*inner)
	parallel.For(outer*n, max(1, shpGrain/max(inner*t.n, 1)), func(lo, hi int) {
		for row := lo; row < hi; row++ {
			o, j := row/n, row%n
			d := dst[row*inner : (row+1)*inner]
			if t.outside[j] {
				for i := range d {
					d[i] = k.extrap
				}
				continue
			}
			for p := 0; p < t.n; p++ {
				w := t.w[j*t.n+p]
				if w == 0 {
					continue
				}
				s := src[(o*m+t.idx[j*t.n+p])*inner:]
				for i := range d {
					d[i] += w * s[i]
				}
			}
		}
	})
	return dst
}

// runNearest picks input elements per axis (any dtype).
func (k *resizeKernel) runNearest(x *tensor.Tensor, g resizeGeom) ([]*tensor.Tensor, error) {
	maps := make([][]int, x.Rank())
	strides := tensor.Strides(x.Shape())
	if tensor.NumElements(g.out) > 0 {
		for a := range maps {
			t := k.axisTaps(x.Dim(a), g.out[a], g.scale[a], g.roiStart[a], g.roiEnd[a])
			m := make([]int, g.out[a])
			for o := range m {
				if t.outside[o] {
					m[o] = -1
				} else {
					m[o] = t.idx[o] * strides[a]
				}
			}
			maps[a] = m
		}
	}
	var fill *tensor.Tensor
	if k.coord == resizeTFCropResize && x.DType().IsNumeric() {
		f, err := tensor.Convert(tensor.Scalar(k.extrap), x.DType())
		if err != nil {
			return nil, err
		}
		fill = f
	}
	return out1(shpGather(x, g.out, maps, fill))
}

// InferShapes: the input's dtype and rank; dims when sizes or scales are
// constants.
func (k *resizeKernel) InferShapes(in []runtime.Fact) ([]runtime.Fact, error) {
	out := runtime.Fact{DType: in[0].DType}
	if !in[0].HasShape {
		return []runtime.Fact{out}, nil
	}
	r := len(in[0].Shape)
	out.Shape, out.HasShape = make([]int, r), true
	for i := range out.Shape {
		out.Shape[i] = -1
	}
	if k.sizesIn >= 0 && k.sizesIn < len(in) && in[k.sizesIn].Value != nil && in[k.sizesIn].Value.Len() == r {
		if v, err := shpInts(in[k.sizesIn].Value, "Resize sizes"); err == nil {
			for i, d := range v {
				if d >= 0 && d < 1<<50 {
					out.Shape[i] = int(d)
				}
			}
		}
		return []runtime.Fact{out}, nil
	}
	var scales []float64
	switch {
	case k.attrScales != nil:
		for _, s := range k.attrScales {
			scales = append(scales, float64(s))
		}
	case k.scalesIn >= 0 && k.scalesIn < len(in) && in[k.scalesIn].Value != nil && in[k.scalesIn].Value.DType().IsFloat():
		scales, _ = tensor.Float64s(in[k.scalesIn].Value)
	}
	if len(scales) == r {
		for i, d := range in[0].Shape {
			if n := math.Floor(float64(d) * scales[i]); d >= 0 && n >= 0 && n < 1<<50 {
				out.Shape[i] = int(n)
			}
		}
	}
	return []runtime.Fact{out}, nil
}

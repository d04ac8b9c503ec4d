package std

import (
	"context"
	"math"
	"math/rand"
	"testing"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// TestConvPackedMatchesUnpacked runs every convolution case with its
// weights known at build time (packed once, the inference path: im2col-free
// for stride 1 float32, or with packed im2col) and with the same values in
// a different tensor (packed per run by the GEMM), against the definition.
func TestConvPackedMatchesUnpacked(t *testing.T) {
	defer func(v int, d bool) { convMaxCol, convNoDirect = v, d }(convMaxCol, convNoDirect)
	for _, maxCol := range []int{1 << 18, 300} {
		convMaxCol = maxCol
		convNoDirect = maxCol == 300
		for ci, c := range convCases {
			rng := rand.New(rand.NewSource(int64(ci)))
			in := c.inputs(rng)
			for _, f32 := range []bool{false, true} {
				in := in
				tol := 1e-12
				if f32 {
					in = toF32s(in)
					tol = 1e-5
				}
				want := refConv(in[0], in[1], nil, c.strides, c.dils, c.padBegin, c.padEnd, c.group)
				if len(in) > 2 {
					want = refConv(in[0], in[1], in[2], c.strides, c.dils, c.padBegin, c.padEnd, c.group)
				}
				f, k, err := runtime.RunNode(context.Background(), testRegistry(), opNode("Conv", in, 1, c.attrs()...), 11, in, runtime.RunOptions{})
				if err != nil {
					t.Fatalf("case %d: %v", ci, err)
				}
				assertClose(t, f.Outputs[0], want, tol, tol)
				other := append([]*tensor.Tensor(nil), in...)
				other[1] = in[1].Clone()
				out, err := k.Run(runtime.NewRunContext(context.Background(), runtime.RunOptions{}), other)
				if err != nil {
					t.Fatalf("case %d unpacked: %v", ci, err)
				}
				assertClose(t, out[0], want, tol, tol)
			}
		}
	}
}

func toF32s(in []*tensor.Tensor) []*tensor.Tensor {
	out := make([]*tensor.Tensor, len(in))
	for i, t := range in {
		if t != nil {
			c, err := tensor.Convert(t, tensor.Float32)
			if err != nil {
				panic(err)
			}
			out[i] = c
		}
	}
	return out
}

// fusionGraph is x → Conv(w, b) → tail nodes → y, with extra initializers.
type fusionGraph struct {
	x, w     []int
	dt       tensor.DType
	convAttr []runtime.Attribute
	tail     []*runtime.Node
	inits    map[string]*tensor.Tensor
	inputs   map[string][]int // extra graph inputs
	outputs  []string
	version  int
	noBias   bool
}

func (fg fusionGraph) build(rng *rand.Rand) (*runtime.Graph, map[string]*tensor.Tensor) {
	mk := func(shape ...int) *tensor.Tensor {
		t := randF64(rng, -1, 1, shape...)
		if fg.dt != tensor.Float64 {
			c, err := tensor.Convert(t, fg.dt)
			if err != nil {
				panic(err)
			}
			return c
		}
		return t
	}
	inits := map[string]*tensor.Tensor{"w": mk(fg.w...), "b": mk(fg.w[0])}
	for k, v := range fg.inits {
		inits[k] = v
	}
	convIn := []string{"x", "w", "b"}
	if fg.noBias {
		convIn = convIn[:2]
	}
	feeds := map[string]*tensor.Tensor{"x": mk(fg.x...)}
	info := func(name string, shape []int) runtime.ValueInfo {
		vi := runtime.ValueInfo{Name: name, DType: fg.dt}
		for _, d := range shape {
			vi.Shape = append(vi.Shape, runtime.Dim{Value: int64(d)})
		}
		return vi
	}
	g := &runtime.Graph{
		Inputs:       []runtime.ValueInfo{info("x", fg.x)},
		Initializers: inits,
		Opsets:       map[string]int{"": fg.version},
		Nodes:        append([]*runtime.Node{{Name: "conv", OpType: "Conv", Inputs: convIn, Outputs: []string{"c"}, Attrs: fg.convAttr}}, fg.tail...),
	}
	for name, shape := range fg.inputs {
		g.Inputs = append(g.Inputs, info(name, shape))
		feeds[name] = mk(shape...)
	}
	for _, o := range fg.outputs {
		g.Outputs = append(g.Outputs, runtime.ValueInfo{Name: o})
	}
	return g, feeds
}

func nodeOf(op string, in []string, out string, attrs ...runtime.Attribute) *runtime.Node {
	return &runtime.Node{Name: out, OpType: op, Inputs: in, Outputs: []string{out}, Attrs: attrs}
}

// TestConvFusion compiles Conv followed by the ops it absorbs, with and
// without fusion, and checks the outputs agree and the steps merged; and
// that the shapes that must not fuse do not.
func TestConvFusion(t *testing.T) {
	defer func(d bool) { convNoDirect = d }(convNoDirect)
	for _, noDirect := range []bool{false, true} {
		convNoDirect = noDirect
		testConvFusion(t)
	}
}

func testConvFusion(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	scalarF := func(v float64) *tensor.Tensor { return tensor.Scalar(float32(v)) }
	bnInits := func(m int) map[string]*tensor.Tensor {
		pos := func() *tensor.Tensor {
			t := randF64(rng, 0.5, 1.5, m)
			c, _ := tensor.Convert(t, tensor.Float32)
			return c
		}
		sym := func() *tensor.Tensor {
			t := randF64(rng, -1, 1, m)
			c, _ := tensor.Convert(t, tensor.Float32)
			return c
		}
		return map[string]*tensor.Tensor{"s": pos(), "bb": sym(), "mu": sym(), "var": pos()}
	}
	pads := attrInts("pads", 1, 1, 1, 1)
	cases := []struct {
		name      string
		fg        fusionGraph
		wantSteps int // after fusion
		exact     bool
	}{
		{"relu", fusionGraph{x: []int{1, 3, 9, 9}, w: []int{8, 3, 3, 3}, convAttr: []runtime.Attribute{pads},
			tail: []*runtime.Node{nodeOf("Relu", []string{"c"}, "y")}, outputs: []string{"y"}}, 1, true},
		{"clip11", fusionGraph{x: []int{2, 4, 7, 7}, w: []int{6, 4, 1, 1},
			inits: map[string]*tensor.Tensor{"lo": scalarF(-0.2), "hi": scalarF(0.3)},
			tail:  []*runtime.Node{nodeOf("Clip", []string{"c", "lo", "hi"}, "y")}, outputs: []string{"y"}}, 1, true},
		{"clip-max-only", fusionGraph{x: []int{1, 4, 7, 7}, w: []int{6, 4, 3, 3}, convAttr: []runtime.Attribute{pads},
			inits: map[string]*tensor.Tensor{"hi": scalarF(0.3)},
			tail:  []*runtime.Node{nodeOf("Clip", []string{"c", "", "hi"}, "y")}, outputs: []string{"y"}}, 1, true},
		{"clip6", fusionGraph{x: []int{1, 4, 7, 7}, w: []int{6, 4, 3, 3}, version: 6,
			tail: []*runtime.Node{nodeOf("Clip", []string{"c"}, "y", attrFloat("min", 0), attrFloat("max", 6))}, outputs: []string{"y"}}, 1, true},
		{"bn+relu", fusionGraph{x: []int{1, 5, 10, 10}, w: []int{16, 5, 3, 3}, convAttr: []runtime.Attribute{pads, attrInts("strides", 2, 2)},
			inits: bnInits(16),
			tail: []*runtime.Node{
				nodeOf("BatchNormalization", []string{"c", "s", "bb", "mu", "var"}, "n", attrFloat("epsilon", 1e-3)),
				nodeOf("Relu", []string{"n"}, "y"),
			}, outputs: []string{"y"}}, 1, false},
		{"bn-nobias-grouped", fusionGraph{x: []int{1, 8, 6, 6}, w: []int{12, 4, 3, 3}, noBias: true,
			convAttr: []runtime.Attribute{pads, attrInt("group", 2)}, inits: bnInits(12),
			tail: []*runtime.Node{nodeOf("BatchNormalization", []string{"c", "s", "bb", "mu", "var"}, "y")}, outputs: []string{"y"}}, 1, false},
		{"residual+relu", fusionGraph{x: []int{1, 8, 6, 6}, w: []int{8, 8, 3, 3}, convAttr: []runtime.Attribute{pads},
			inputs: map[string][]int{"r": {1, 8, 6, 6}},
			tail: []*runtime.Node{
				nodeOf("Add", []string{"r", "c"}, "a"),
				nodeOf("Relu", []string{"a"}, "y"),
			}, outputs: []string{"y"}}, 1, true},
		{"depthwise+clip", fusionGraph{x: []int{1, 8, 9, 9}, w: []int{8, 1, 3, 3}, convAttr: []runtime.Attribute{pads, attrInt("group", 8)},
			inits: map[string]*tensor.Tensor{"lo": scalarF(0), "hi": scalarF(6)},
			tail:  []*runtime.Node{nodeOf("Clip", []string{"c", "lo", "hi"}, "y")}, outputs: []string{"y"}}, 1, true},
		// Not fused: the conv output is also a graph output; read twice;
		// broadcast Add; relu before add (add must come first).
		{"output-kept", fusionGraph{x: []int{1, 3, 5, 5}, w: []int{4, 3, 3, 3},
			tail: []*runtime.Node{nodeOf("Relu", []string{"c"}, "y")}, outputs: []string{"y", "c"}}, 2, true},
		{"two-readers", fusionGraph{x: []int{1, 3, 5, 5}, w: []int{4, 3, 3, 3},
			tail: []*runtime.Node{nodeOf("Relu", []string{"c"}, "r"), nodeOf("Add", []string{"r", "c"}, "y")}, outputs: []string{"y"}}, 3, true},
		{"broadcast-add", fusionGraph{x: []int{1, 3, 5, 5}, w: []int{4, 3, 3, 3}, inputs: map[string][]int{"r": {1, 4, 1, 1}},
			tail: []*runtime.Node{nodeOf("Add", []string{"c", "r"}, "y")}, outputs: []string{"y"}}, 2, true},
		{"relu-then-add", fusionGraph{x: []int{1, 3, 5, 5}, w: []int{4, 3, 3, 3}, inputs: map[string][]int{"r": {1, 4, 3, 3}},
			tail: []*runtime.Node{nodeOf("Relu", []string{"c"}, "a"), nodeOf("Add", []string{"a", "r"}, "y")}, outputs: []string{"y"}}, 2, true},
	}
	for _, tc := range cases {
		for _, dt := range []tensor.DType{tensor.Float32, tensor.Float64} {
			fg := tc.fg
			fg.dt = dt
			if fg.version == 0 {
				fg.version = 13
			}
			if dt == tensor.Float64 {
				// Retype the float32 initializers of the tail.
				inits := map[string]*tensor.Tensor{}
				for k, v := range fg.inits {
					c, _ := tensor.Convert(v, tensor.Float64)
					inits[k] = c
				}
				fg.inits = inits
			}
			g, feeds := fg.build(rng)
			fused, err := runtime.Compile(g, testRegistry(), runtime.Options{})
			if err != nil {
				t.Fatalf("%s %v: %v", tc.name, dt, err)
			}
			plain, err := runtime.Compile(g, testRegistry(), runtime.Options{NoFuse: true})
			if err != nil {
				t.Fatal(err)
			}
			if fused.NumSteps() != tc.wantSteps {
				t.Errorf("%s %v: %d steps after fusion, want %d", tc.name, dt, fused.NumSteps(), tc.wantSteps)
			}
			if plain.NumSteps() != 1+len(fg.tail) {
				t.Errorf("%s: %d steps without fusion", tc.name, plain.NumSteps())
			}
			ctx := context.Background()
			got, err := fused.Run(ctx, feeds)
			if err != nil {
				t.Fatalf("%s %v: %v", tc.name, dt, err)
			}
			want, err := plain.Run(ctx, feeds)
			if err != nil {
				t.Fatal(err)
			}
			// Training runs use the unfused plan (the same values here
			// unless BatchNormalization uses batch statistics).
			hasBN := false
			for _, n := range fg.tail {
				hasBN = hasBN || n.OpType == "BatchNormalization"
			}
			train, err := fused.RunWith(ctx, feeds, runtime.RunOptions{Training: !hasBN})
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range fg.outputs {
				tol := 0.0
				if !tc.exact {
					tol = 1e-5
					if dt == tensor.Float64 {
						tol = 1e-12
					}
				}
				assertClose(t, got[o], want[o], tol, tol)
				assertClose(t, train[o], want[o], tol, tol)
			}
		}
	}
}

// TestConvFusionConcurrent runs one fused model from several goroutines.
func TestConvFusionConcurrent(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	fg := fusionGraph{x: []int{1, 16, 20, 20}, w: []int{32, 16, 3, 3}, dt: tensor.Float32, version: 13,
		convAttr: []runtime.Attribute{attrInts("pads", 1, 1, 1, 1)},
		inputs:   map[string][]int{"r": {1, 32, 20, 20}},
		tail:     []*runtime.Node{nodeOf("Add", []string{"c", "r"}, "a"), nodeOf("Relu", []string{"a"}, "y")}, outputs: []string{"y"}}
	g, _ := fg.build(rng)
	fused, err := runtime.Compile(g, testRegistry(), runtime.Options{})
	if err != nil {
		t.Fatal(err)
	}
	plain, err := runtime.Compile(g, testRegistry(), runtime.Options{NoFuse: true})
	if err != nil {
		t.Fatal(err)
	}
	const runs = 6
	feeds := make([]map[string]*tensor.Tensor, runs)
	for i := range feeds {
		_, feeds[i] = fg.build(rng)
	}
	errs := make(chan error, runs)
	outs := make([]*tensor.Tensor, runs)
	for i := range runs {
		go func() {
			out, err := fused.Run(context.Background(), feeds[i])
			if err == nil {
				outs[i] = out["y"]
			}
			errs <- err
		}()
	}
	for range runs {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	for i := range runs {
		want, err := plain.Run(context.Background(), feeds[i])
		if err != nil {
			t.Fatal(err)
		}
		assertClose(t, outs[i], want["y"], 0, 0)
	}
}

// TestFoldBatchNormValues checks the folded weights and bias against the
// formula on a hand-sized case.
func TestFoldBatchNormValues(t *testing.T) {
	w := tensor.MustFromSlice([]int{2, 1, 1, 1}, []float64{2, -3})
	b := tensor.MustFromSlice([]int{2}, []float64{1, 0.5})
	g := &runtime.Graph{
		Inputs: []runtime.ValueInfo{{Name: "x", DType: tensor.Float64, Shape: []runtime.Dim{{Value: 1}, {Value: 1}, {Value: 1}, {Value: 2}}}},
		Initializers: map[string]*tensor.Tensor{"w": w, "b": b,
			"s": tensor.MustFromSlice([]int{2}, []float64{4, 1}), "bb": tensor.MustFromSlice([]int{2}, []float64{10, 20}),
			"mu": tensor.MustFromSlice([]int{2}, []float64{1, -1}), "var": tensor.MustFromSlice([]int{2}, []float64{3, 0})},
		Outputs: []runtime.ValueInfo{{Name: "y"}},
		Opsets:  map[string]int{"": 15},
		Nodes: []*runtime.Node{
			nodeOf("Conv", []string{"x", "w", "b"}, "c"),
			nodeOf("BatchNormalization", []string{"c", "s", "bb", "mu", "var"}, "y", attrFloat("epsilon", 1)),
		},
	}
	m, err := runtime.Compile(g, testRegistry(), runtime.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if m.NumSteps() != 1 {
		t.Fatalf("%d steps, want 1", m.NumSteps())
	}
	x := tensor.MustFromSlice([]int{1, 1, 1, 2}, []float64{1, 2})
	out, err := m.Run(context.Background(), map[string]*tensor.Tensor{"x": x})
	if err != nil {
		t.Fatal(err)
	}
	// Channel 0: s = 4/√4 = 2, y = (2x+1-1)·2+10; channel 1: s = 1/√1 = 1,
	// y = (-3x+0.5+1)·1+20.
	want := []float64{14, 18, 18.5, 15.5}
	for i, v := range tensor.Data[float64](out["y"]) {
		if math.Abs(v-want[i]) > 1e-12 {
			t.Fatalf("got %v, want %v", tensor.Data[float64](out["y"]), want)
		}
	}
}

// TestConvDepthwise3x3 covers the vector depthwise kernel's geometries
// (strides 1 and 2, symmetric and asymmetric padding, widths around the
// 16-element vector blocks, several images) against the definition.
func TestConvDepthwise3x3(t *testing.T) {
	rng := rand.New(rand.NewSource(11))
	for _, s := range []int{1, 2} {
		for _, pads := range [][4]int{{1, 1, 1, 1}, {0, 0, 0, 0}, {1, 0, 2, 1}, {2, 2, 0, 1}} {
			for _, hw := range [][2]int{{3, 3}, {7, 17}, {16, 33}, {5, 40}} {
				c := convCase{x: []int{2, 5, hw[0], hw[1]}, w: []int{5, 1, 3, 3}, bias: true, strides: []int{s, s}, dils: []int{1, 1},
					padBegin: []int{pads[0], pads[1]}, padEnd: []int{pads[2], pads[3]}, group: 5}
				in := toF32s(c.inputs(rng))
				p, err := planConv(&convWindowAttrs{strides: c.strides, pads: []int{pads[0], pads[1], pads[2], pads[3]}}, 5, c.x, c.w, nil)
				if err != nil {
					t.Fatal(err)
				}
				if !convDepthwise3x3OK(p) {
					t.Fatalf("%v: not on the vector path", c)
				}
				got := runOp(t, "Conv", 11, c.attrs(), 1, in...)[0]
				want := refConv(in[0], in[1], in[2], c.strides, c.dils, c.padBegin, c.padEnd, c.group)
				assertClose(t, got, want, 1e-5, 1e-5)
			}
		}
	}
}

// TestConvDirect covers the im2col-free path on sizes with several tiles
// and row blocks, groups, dilation, padding on one side, and 1×1
// convolutions whose last panel does or does not fit inside the image.
func TestConvDirect(t *testing.T) {
	defer func(d bool) { convNoDirect = d }(convNoDirect)
	rng := rand.New(rand.NewSource(13))
	cases := []convCase{
		{x: []int{1, 16, 30, 37}, w: []int{40, 16, 3, 3}, bias: true, strides: []int{1, 1}, dils: []int{1, 1}, padBegin: []int{1, 1}, padEnd: []int{1, 1}, group: 1},
		{x: []int{2, 8, 12, 13}, w: []int{26, 4, 3, 2}, bias: true, strides: []int{1, 1}, dils: []int{2, 1}, padBegin: []int{2, 0}, padEnd: []int{0, 1}, group: 2},
		{x: []int{1, 3, 20, 21}, w: []int{30, 3, 7, 7}, strides: []int{1, 1}, dils: []int{1, 1}, padBegin: []int{3, 3}, padEnd: []int{3, 3}, group: 1},
		{x: []int{2, 24, 8, 8}, w: []int{50, 12, 1, 1}, bias: true, strides: []int{1, 1}, dils: []int{1, 1}, padBegin: []int{0, 0}, padEnd: []int{0, 0}, group: 2}, // in place, 2 images, groups
		{x: []int{1, 24, 8, 8}, w: []int{50, 24, 1, 1}, bias: true, strides: []int{1, 1}, dils: []int{1, 1}, padBegin: []int{0, 0}, padEnd: []int{0, 0}, group: 1}, // P = 64: in place
		{x: []int{2, 24, 7, 9}, w: []int{50, 24, 1, 1}, strides: []int{1, 1}, dils: []int{1, 1}, padBegin: []int{0, 0}, padEnd: []int{0, 0}, group: 1},             // P = 63: last panel packed
		{x: []int{1, 5, 9, 11}, w: []int{7, 5, 3, 3}, strides: []int{1, 1}, dils: []int{1, 1}, padBegin: []int{0, 0}, padEnd: []int{0, 0}, group: 1},               // no padding
	}
	for i, c := range cases {
		in := toF32s(c.inputs(rng))
		var b *tensor.Tensor
		if c.bias {
			b = in[2]
		}
		want := refConv(in[0], in[1], b, c.strides, c.dils, c.padBegin, c.padEnd, c.group)
		for _, noDirect := range []bool{false, true} {
			convNoDirect = noDirect
			got := runOp(t, "Conv", 11, c.attrs(), 1, in...)[0]
			t.Logf("case %d direct=%v", i, !noDirect)
			assertClose(t, got, want, 1e-4, 1e-4)
		}
	}
}

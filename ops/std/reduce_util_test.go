package std

import (
	"context"
	"errors"
	"math"
	"math/rand"
	"testing"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// reduceOps maps each Reduce op to a naive reference over the list of
// reduced values.
var reduceOps = []struct {
	name string
	ref  func(v []float64) float64
}{
	{"ReduceSum", func(v []float64) float64 { return redSumOf(v) }},
	{"ReduceMean", func(v []float64) float64 { return redSumOf(v) / float64(len(v)) }},
	{"ReduceMax", func(v []float64) float64 {
		m := math.Inf(-1)
		for _, x := range v {
			m = math.Max(m, x)
		}
		return m
	}},
	{"ReduceMin", func(v []float64) float64 {
		m := math.Inf(1)
		for _, x := range v {
			m = math.Min(m, x)
		}
		return m
	}},
	{"ReduceProd", func(v []float64) float64 {
		p := 1.0
		for _, x := range v {
			p *= x
		}
		return p
	}},
	{"ReduceL1", func(v []float64) float64 {
		s := 0.0
		for _, x := range v {
			s += math.Abs(x)
		}
		return s
	}},
	{"ReduceL2", func(v []float64) float64 {
		s := 0.0
		for _, x := range v {
			s += x * x
		}
		return math.Sqrt(s)
	}},
	{"ReduceLogSum", func(v []float64) float64 { return math.Log(redSumOf(v)) }},
	{"ReduceLogSumExp", func(v []float64) float64 {
		s := 0.0
		for _, x := range v {
			s += math.Exp(x)
		}
		return math.Log(s)
	}},
	{"ReduceSumSquare", func(v []float64) float64 {
		s := 0.0
		for _, x := range v {
			s += x * x
		}
		return s
	}},
}

func redSumOf(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s
}

// naiveReduce groups the elements of x by output position (the input
// index with reduced dims zeroed) and applies ref to each group.
func naiveReduce(x []float64, shape []int, red []bool, keepdims bool, ref func([]float64) float64) ([]float64, []int) {
	var outShape, keep []int
	for i, d := range shape {
		if red[i] {
			keep = append(keep, 1)
			if keepdims {
				outShape = append(outShape, 1)
			}
		} else {
			keep = append(keep, d)
			outShape = append(outShape, d)
		}
	}
	n := 1
	for _, d := range keep {
		n *= d
	}
	groups := make([][]float64, n)
	idx := make([]int, len(shape))
	for _, v := range x {
		o := 0
		for i := range shape {
			k := idx[i]
			if red[i] {
				k = 0
			}
			o = o*keep[i] + k
		}
		groups[o] = append(groups[o], v)
		for d := len(idx) - 1; d >= 0; d-- {
			idx[d]++
			if idx[d] < shape[d] {
				break
			}
			idx[d] = 0
		}
	}
	out := make([]float64, n)
	for i, g := range groups {
		out[i] = ref(g)
	}
	if outShape == nil {
		outShape = []int{}
	}
	return out, outShape
}

// randomAxes picks a random subset of axes, some written negative.
func randomAxes(rng *rand.Rand, rank int) ([]int64, []bool) {
	red := make([]bool, rank)
	var axes []int64
	for _, a := range rng.Perm(rank) {
		if rng.Intn(2) == 0 {
			continue
		}
		red[a] = true
		ax := int64(a)
		if rng.Intn(2) == 0 {
			ax -= int64(rank)
		}
		axes = append(axes, ax)
	}
	return axes, red
}

func TestReduceMatchesNaive(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	shapes := [][]int{{}, {5}, {2, 3}, {1, 4, 1}, {3, 1, 4, 2}, {2, 3, 2, 3, 2}, {0, 3}, {2, 0, 2}}
	for _, op := range reduceOps {
		for _, shape := range shapes {
			for trial := 0; trial < 4; trial++ {
				x := randF64(rng, 0.1, 2, shape...)
				if op.name != "ReduceLogSum" {
					x = randF64(rng, -2, 2, shape...)
				}
				axes, red := randomAxes(rng, len(shape))
				if len(axes) == 0 {
					for i := range red {
						red[i] = true
					}
				}
				keepdims := trial%2 == 0
				want, wantShape := naiveReduce(tensor.Data[float64](x), shape, red, keepdims, op.ref)
				wantT := tensor.MustFromSlice(wantShape, want)
				kd := int64(0)
				if keepdims {
					kd = 1
				}
				// Attribute form (opset 13 for all but ReduceSum: 11).
				attrs := attrsOf(attrInt("keepdims", kd))
				if len(axes) > 0 {
					attrs = append(attrs, attrInts("axes", axes...))
				}
				ver := 13
				if op.name == "ReduceSum" {
					ver = 11
				}
				got := runOp(t, op.name, ver, attrs, 1, x)[0]
				assertClose(t, got, wantT, 1e-12, 1e-12)
				// Input form (opset 18).
				var axesT *tensor.Tensor
				if len(axes) > 0 {
					axesT = tensor.MustFromSlice([]int{len(axes)}, axes)
				}
				got = runOp(t, op.name, 18, attrsOf(attrInt("keepdims", kd)), 1, x, axesT)[0]
				assertClose(t, got, wantT, 1e-12, 1e-12)
			}
		}
	}
}

// TestReduceLarge exercises the parallel paths (split rows, split
// columns, split reduced dim) against the naive reference.
func TestReduceLarge(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	cases := []struct {
		shape []int
		axes  []int64
	}{
		{[]int{100003}, nil},             // one long row, split
		{[]int{3, 70001}, []int64{1}},    // few long rows
		{[]int{70001, 3}, []int64{0}},    // reduce leading, narrow inner: split reduced dim
		{[]int{2, 300, 257}, []int64{1}}, // outer 2, inner 257
		{[]int{3, 50, 1000}, []int64{1}}, // wide inner: split columns
		{[]int{40, 50, 60}, []int64{0, 2}},
		{[]int{300, 300}, []int64{1}},
		{[]int{50, 2000}, []int64{0}}, // one output row, wide: split columns
	}
	for _, c := range cases {
		x := randF64(rng, -1, 1, c.shape...)
		red := make([]bool, len(c.shape))
		if c.axes == nil {
			for i := range red {
				red[i] = true
			}
		}
		for _, a := range c.axes {
			red[a] = true
		}
		for _, op := range []int{0, 2, 3} { // Sum, Max, Min
			want, ws := naiveReduce(tensor.Data[float64](x), c.shape, red, true, reduceOps[op].ref)
			attrs := attrsOf()
			if c.axes != nil {
				attrs = append(attrs, attrInts("axes", c.axes...))
			}
			got := runOp(t, reduceOps[op].name, 11, attrs, 1, x)[0]
			assertClose(t, got, tensor.MustFromSlice(ws, want), 1e-9, 1e-9)
		}
		// float32 sums accumulate accurately.
		x32, _ := tensor.Convert(x, tensor.Float32)
		x32d, _ := tensor.Float64s(x32)
		want, ws := naiveReduce(x32d, c.shape, red, false, reduceOps[0].ref)
		attrs := attrsOf(attrInt("keepdims", 0))
		if c.axes != nil {
			attrs = append(attrs, attrInts("axes", c.axes...))
		}
		got := runOp(t, "ReduceSum", 11, attrs, 1, x32)[0]
		assertClose(t, got, tensor.MustFromSlice(ws, want), 1e-4, 1e-4)
	}
}

func TestReduceNoopAndEmptyAxes(t *testing.T) {
	x := tensor.MustFromSlice([]int{2, 2}, []float64{1, -2, 3, 4})
	empty := tensor.MustFromSlice([]int{0}, []int64{})
	// noop: reduce over no axes, element by element.
	for _, c := range []struct {
		op   string
		want []float64
	}{
		{"ReduceSum", []float64{1, -2, 3, 4}},
		{"ReduceSumSquare", []float64{1, 4, 9, 16}},
		{"ReduceL1", []float64{1, 2, 3, 4}},
		{"ReduceMax", []float64{1, -2, 3, 4}},
		{"ReduceLogSumExp", []float64{1, -2, 3, 4}},
	} {
		ver := 18
		if c.op == "ReduceSum" {
			ver = 13
		}
		got := runOp(t, c.op, ver, attrsOf(attrInt("noop_with_empty_axes", 1)), 1, x, empty)[0]
		assertClose(t, got, tensor.MustFromSlice([]int{2, 2}, c.want), 1e-12, 0)
		// Without noop, empty axes reduce everything.
		got = runOp(t, c.op, ver, attrsOf(attrInt("keepdims", 0)), 1, x, empty)[0]
		if got.Rank() != 0 {
			t.Fatalf("%s: empty axes should reduce to a scalar, got %v", c.op, got.Shape())
		}
	}
	// Omitted axes input, noop: identity.
	got := runOp(t, "ReduceSum", 13, attrsOf(attrInt("noop_with_empty_axes", 1)), 1, x, nil)[0]
	assertClose(t, got, x, 0, 0)
}

func TestReduceEmptyInput(t *testing.T) {
	x := tensor.Make[float32](2, 0, 3)
	for _, c := range []struct {
		op   string
		want float64
	}{
		{"ReduceSum", 0}, {"ReduceProd", 1}, {"ReduceMax", math.Inf(-1)}, {"ReduceMin", math.Inf(1)},
		{"ReduceMean", math.NaN()}, {"ReduceLogSumExp", math.Inf(-1)}, {"ReduceL2", 0},
	} {
		got := runOp(t, c.op, 12, attrsOf(attrInts("axes", 1), attrInt("keepdims", 0)), 1, x)[0]
		want := tensor.Make[float64](2, 3)
		for i := range tensor.Data[float64](want) {
			tensor.Data[float64](want)[i] = c.want
		}
		assertClose(t, got, want, 0, 0)
	}
}

func TestReduceIntegerTypes(t *testing.T) {
	x := tensor.MustFromSlice([]int{2, 3}, []int32{1, -7, 3, 4, 5, -6})
	check := func(op string, want []int32) {
		t.Helper()
		got := runOp(t, op, 12, attrsOf(attrInts("axes", 1), attrInt("keepdims", 0)), 1, x)[0]
		if got.DType() != tensor.Int32 {
			t.Fatalf("%s: dtype %v", op, got.DType())
		}
		g := tensor.Data[int32](got)
		if len(g) != len(want) || g[0] != want[0] || g[1] != want[1] {
			t.Fatalf("%s: got %v want %v", op, g, want)
		}
	}
	check("ReduceSum", []int32{-3, 3})
	check("ReduceMean", []int32{-1, 1}) // truncating division
	check("ReduceMax", []int32{3, 5})
	check("ReduceMin", []int32{-7, -6})
	check("ReduceProd", []int32{-21, -120})
	check("ReduceL1", []int32{11, 15})
	check("ReduceSumSquare", []int32{59, 77})
	check("ReduceL2", []int32{7, 8}) // sqrt 59 = 7.68, sqrt 77 = 8.77, truncated
	u := tensor.MustFromSlice([]int{4}, []uint8{200, 3, 255, 0})
	got := runOp(t, "ReduceMax", 13, nil, 1, u)[0]
	if tensor.Data[uint8](got)[0] != 255 {
		t.Fatalf("uint8 max: %v", tensor.Data[uint8](got))
	}
	got = runOp(t, "ReduceMin", 13, nil, 1, u)[0]
	if tensor.Data[uint8](got)[0] != 0 {
		t.Fatalf("uint8 min: %v", tensor.Data[uint8](got))
	}
	h := tensor.MustFromSlice([]int{3}, []tensor.F16{tensor.F16From(1), tensor.F16From(2.5), tensor.F16From(-0.5)})
	got = runOp(t, "ReduceSum", 13, nil, 1, h)[0]
	if got.DType() != tensor.Float16 || tensor.Data[tensor.F16](got)[0].Float32() != 3 {
		t.Fatalf("float16 sum: %v", got)
	}
}

func TestReduceNaNPropagates(t *testing.T) {
	x := tensor.MustFromSlice([]int{4}, []float32{1, float32(math.NaN()), 3, 2})
	for _, op := range []string{"ReduceMax", "ReduceMin", "ReduceSum"} {
		got := runOp(t, op, 13, nil, 1, x)[0]
		if v := tensor.Data[float32](got)[0]; v == v {
			t.Fatalf("%s: NaN should propagate, got %v", op, v)
		}
	}
	x = tensor.MustFromSlice([]int{3}, []float64{math.Inf(1), 1, 2})
	got := runOp(t, "ReduceLogSumExp", 13, nil, 1, x)[0]
	if !math.IsInf(tensor.Data[float64](got)[0], 1) {
		t.Fatalf("LogSumExp with +Inf: %v", tensor.Data[float64](got))
	}
	// Large values do not overflow.
	x = tensor.MustFromSlice([]int{2}, []float32{1000, 1000})
	got = runOp(t, "ReduceLogSumExp", 13, nil, 1, x)[0]
	if v := float64(tensor.Data[float32](got)[0]); math.Abs(v-(1000+math.Ln2)) > 1e-3 {
		t.Fatalf("LogSumExp overflow: %v", v)
	}
}

func TestReduceErrors(t *testing.T) {
	x := tensor.Make[float32](2, 3)
	cases := []struct {
		op   string
		ver  int
		attr []runtime.Attribute
		in   []*tensor.Tensor
		want error
	}{
		{"ReduceSum", 11, attrsOf(attrInts("axes", 2)), []*tensor.Tensor{x}, tensor.ErrShape},
		{"ReduceMean", 13, attrsOf(attrInts("axes", -3)), []*tensor.Tensor{x}, tensor.ErrShape},
		{"ReduceMax", 13, attrsOf(attrInts("axes", 1, -1)), []*tensor.Tensor{x}, tensor.ErrShape},
		{"ReduceSum", 13, attrsOf(attrInts("axes", 1)), []*tensor.Tensor{x}, runtime.ErrInvalidGraph},
		{"ReduceSum", 13, nil, []*tensor.Tensor{x, tensor.MustFromSlice([]int{1}, []int32{0})}, tensor.ErrDType},
		{"ReduceSum", 13, nil, []*tensor.Tensor{x, tensor.MustFromSlice([]int{1, 1}, []int64{0})}, tensor.ErrShape},
		{"ReduceSum", 13, nil, []*tensor.Tensor{x, tensor.MustFromSlice([]int{1}, []int64{5})}, tensor.ErrShape},
		{"ReduceSum", 13, nil, []*tensor.Tensor{tensor.MustFromSlice([]int{1}, []string{"a"})}, tensor.ErrDType},
		{"ReduceMin", 13, nil, []*tensor.Tensor{tensor.MustFromSlice([]int{1}, []bool{true})}, tensor.ErrDType},
	}
	for i, c := range cases {
		if err := runOpErr(c.op, c.ver, c.attr, 1, c.in...); !errors.Is(err, c.want) {
			t.Errorf("case %d (%s): got %v, want %v", i, c.op, err, c.want)
		}
	}
	// An axes input at an opset that takes the attribute is an arity error.
	if err := runOpErr("ReduceMean", 13, nil, 1, x, tensor.MustFromSlice([]int{1}, []int64{0})); !errors.Is(err, runtime.ErrInvalidGraph) {
		t.Errorf("ReduceMean-13 with two inputs: %v", err)
	}
	// A wrongly typed attribute.
	if err := runOpErr("ReduceSum", 11, attrsOf(attrInt("axes", 1)), 1, x); !errors.Is(err, runtime.ErrInvalidGraph) {
		t.Errorf("axes as int: %v", err)
	}
}

// reduceGradCases runs gradCheck on op for several axis sets in both the
// attribute (opset attrVer) and input (opset 18) forms.
func reduceGradCases(t *testing.T, op string, attrVer int, lo, hi float64) {
	t.Helper()
	rng := rand.New(rand.NewSource(11))
	for _, c := range []struct {
		axes     []int64
		keepdims int64
	}{{nil, 1}, {[]int64{1}, 0}, {[]int64{0, -1}, 1}, {[]int64{-2}, 1}} {
		x := randF64(rng, lo, hi, 3, 4, 2)
		attrs := attrsOf(attrInt("keepdims", c.keepdims))
		if c.axes != nil {
			attrs = append(attrs, attrInts("axes", c.axes...))
		}
		gradCheck(t, op, attrVer, attrs, []*tensor.Tensor{x}, 0)
		var axesT *tensor.Tensor
		if c.axes != nil {
			axesT = tensor.MustFromSlice([]int{len(c.axes)}, c.axes)
		}
		gradCheck(t, op, 18, attrsOf(attrInt("keepdims", c.keepdims)), []*tensor.Tensor{x, axesT}, 0)
	}
}

func TestReduceInferShapes(t *testing.T) {
	x := tensor.Make[float32](2, 3, 4)
	axes := tensor.MustFromSlice([]int{1}, []int64{-2})
	infer := func(op string, ver int, attrs []runtime.Attribute, in []*tensor.Tensor, facts []runtime.Fact) runtime.Fact {
		t.Helper()
		_, k, err := runtime.RunNode(context.Background(), testRegistry(), opNode(op, in, 1, attrs...), ver, in, runtime.RunOptions{})
		if err != nil {
			t.Fatal(err)
		}
		out, err := k.(runtime.ShapeInferrer).InferShapes(facts)
		if err != nil {
			t.Fatal(err)
		}
		return out[0]
	}
	xf := runtime.Fact{DType: tensor.Float32, Shape: []int{2, -1, 4}, HasShape: true}
	f := infer("ReduceMean", 13, attrsOf(attrInts("axes", 0), attrInt("keepdims", 0)), []*tensor.Tensor{x}, []runtime.Fact{xf})
	if !f.HasShape || !tensor.SameShape(f.Shape, []int{-1, 4}) || f.DType != tensor.Float32 {
		t.Fatalf("attribute axes: %+v", f)
	}
	f = infer("ReduceSum", 13, nil, []*tensor.Tensor{x, axes}, []runtime.Fact{xf, runtime.FactOf(axes)})
	if !tensor.SameShape(f.Shape, []int{2, 1, 4}) {
		t.Fatalf("constant axes input: %+v", f)
	}
	f = infer("ReduceSum", 13, nil, []*tensor.Tensor{x, axes}, []runtime.Fact{xf, {DType: tensor.Int64}})
	if !tensor.SameShape(f.Shape, []int{-1, -1, -1}) {
		t.Fatalf("unknown axes, keepdims: %+v", f)
	}
	f = infer("ReduceSum", 13, attrsOf(attrInt("keepdims", 0)), []*tensor.Tensor{x, nil}, []runtime.Fact{xf, {Absent: true}})
	if !f.HasShape || len(f.Shape) != 0 {
		t.Fatalf("absent axes: %+v", f)
	}
}

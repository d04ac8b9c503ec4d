package std

import (
	"context"
	"errors"
	"math/rand"
	"testing"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// convCase is one convolution configuration with explicit geometry.
type convCase struct {
	x, w                 []int // shapes
	bias                 bool
	strides, dils        []int
	padBegin, padEnd     []int
	group                int
	autoPad              string // when set, pads are not passed as attributes
	kernelAttr, noStride bool
}

// refConv is the convolution by its definition: every output element is a
// sum over its group's input channels and kernel offsets of in-bounds
// input elements.
func refConv(x, w, b *tensor.Tensor, s, d, pb, pe []int, group int) *tensor.Tensor {
	xs, ws := x.Shape(), w.Shape()
	xd, wd := nnF64s(x), nnF64s(w)
	nd := len(xs) - 2
	n, c, m := xs[0], xs[1], ws[0]
	cg, mg := c/group, m/group
	out := []int{n, m}
	for i := 0; i < nd; i++ {
		dk := (ws[2+i]-1)*d[i] + 1
		out = append(out, (xs[2+i]+pb[i]+pe[i]-dk)/s[i]+1)
	}
	y := make([]float64, nnProd(out))
	ksh := ws[2:]
	for pos := range y {
		idx := nnUnravelIdx(pos, out)
		ni, mi := idx[0], idx[1]
		g := mi / mg
		sum := 0.0
		if b != nil {
			sum = nnF64s(b)[mi]
		}
		for ci := 0; ci < cg; ci++ {
			for q := 0; q < nnProd(ksh); q++ {
				kv := nnUnravelIdx(q, ksh)
				xi := []int{ni, g*cg + ci}
				ok := true
				for i := 0; i < nd; i++ {
					v := idx[2+i]*s[i] - pb[i] + kv[i]*d[i]
					if v < 0 || v >= xs[2+i] {
						ok = false
					}
					xi = append(xi, v)
				}
				if !ok {
					continue
				}
				wi := append([]int{mi, ci}, kv...)
				sum += xd[nnRavelIdx(xi, xs)] * wd[nnRavelIdx(wi, ws)]
			}
		}
		y[pos] = sum
	}
	return nnF64Tensor(out, y)
}

func (c convCase) attrs() []runtime.Attribute {
	nd := len(c.x) - 2
	var a []runtime.Attribute
	i64 := func(v []int) []int64 {
		r := make([]int64, len(v))
		for i, x := range v {
			r[i] = int64(x)
		}
		return r
	}
	if !c.noStride {
		a = append(a, attrInts("strides", i64(c.strides)...))
	}
	a = append(a, attrInts("dilations", i64(c.dils)...), attrInt("group", int64(c.group)))
	if c.autoPad != "" {
		a = append(a, attrString("auto_pad", c.autoPad))
	} else {
		a = append(a, attrInts("pads", i64(append(append([]int(nil), c.padBegin...), c.padEnd...))...))
	}
	if c.kernelAttr {
		a = append(a, attrInts("kernel_shape", i64(c.w[2:2+nd])...))
	}
	return a
}

var convCases = []convCase{
	{x: []int{2, 3, 7}, w: []int{4, 3, 3}, bias: true, strides: []int{1}, dils: []int{1}, padBegin: []int{1}, padEnd: []int{1}, group: 1},
	{x: []int{1, 4, 9}, w: []int{6, 2, 2}, strides: []int{2}, dils: []int{3}, padBegin: []int{0}, padEnd: []int{2}, group: 2},
	{x: []int{2, 3, 6, 5}, w: []int{4, 3, 3, 3}, bias: true, strides: []int{1, 1}, dils: []int{1, 1}, padBegin: []int{1, 1}, padEnd: []int{1, 1}, group: 1, kernelAttr: true},
	{x: []int{1, 2, 7, 8}, w: []int{3, 2, 3, 2}, strides: []int{2, 3}, dils: []int{1, 2}, padBegin: []int{0, 2}, padEnd: []int{1, 0}, group: 1},
	{x: []int{2, 4, 5, 5}, w: []int{4, 1, 3, 3}, bias: true, strides: []int{1, 1}, dils: []int{1, 1}, padBegin: []int{1, 1}, padEnd: []int{1, 1}, group: 4},                   // depthwise
	{x: []int{1, 3, 6, 6}, w: []int{6, 1, 3, 3}, bias: true, strides: []int{2, 2}, dils: []int{2, 1}, padBegin: []int{2, 0}, padEnd: []int{1, 1}, group: 3},                   // depthwise, multiplier 2
	{x: []int{2, 6, 4, 5}, w: []int{4, 3, 1, 1}, bias: true, strides: []int{1, 1}, dils: []int{1, 1}, padBegin: []int{0, 0}, padEnd: []int{0, 0}, group: 2},                   // pointwise, groups
	{x: []int{3, 5, 4, 4}, w: []int{7, 5, 1, 1}, strides: []int{1, 1}, dils: []int{1, 1}, padBegin: []int{0, 0}, padEnd: []int{0, 0}, group: 1},                               // pointwise
	{x: []int{1, 2, 4, 5, 3}, w: []int{2, 2, 2, 3, 2}, bias: true, strides: []int{1, 2, 1}, dils: []int{1, 1, 2}, padBegin: []int{1, 0, 1}, padEnd: []int{0, 1, 1}, group: 1}, // 3-D
	{x: []int{1, 1, 3, 3}, w: []int{2, 1, 3, 3}, strides: []int{1, 1}, dils: []int{1, 1}, padBegin: []int{0, 0}, padEnd: []int{0, 0}, group: 1, noStride: true},
	{x: []int{1, 2, 5, 4}, w: []int{3, 2, 3, 3}, strides: []int{2, 2}, dils: []int{1, 1}, padBegin: []int{1, 0}, padEnd: []int{1, 1}, group: 1, autoPad: "SAME_UPPER"},
	{x: []int{1, 2, 5, 4}, w: []int{3, 2, 3, 3}, strides: []int{2, 2}, dils: []int{1, 1}, padBegin: []int{1, 1}, padEnd: []int{1, 0}, group: 1, autoPad: "SAME_LOWER"},
	{x: []int{1, 2, 5, 4}, w: []int{3, 2, 2, 2}, strides: []int{2, 1}, dils: []int{1, 1}, padBegin: []int{0, 0}, padEnd: []int{0, 0}, group: 1, autoPad: "VALID"},
}

func (c convCase) inputs(rng *rand.Rand) []*tensor.Tensor {
	in := []*tensor.Tensor{randF64(rng, -1, 1, c.x...), randF64(rng, -1, 1, c.w...)}
	if c.bias {
		in = append(in, randF64(rng, -1, 1, c.w[0]))
	}
	return in
}

func TestConvMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewSource(6))
	for i, c := range convCases {
		in := c.inputs(rng)
		var b *tensor.Tensor
		if c.bias {
			b = in[2]
		}
		want := refConv(in[0], in[1], b, c.strides, c.dils, c.padBegin, c.padEnd, c.group)
		got := runOp(t, "Conv", 11, c.attrs(), 1, in...)[0]
		assertClose(t, got, want, 1e-12, 1e-12)
		in32 := make([]*tensor.Tensor, len(in))
		for j := range in {
			in32[j] = nnCast(in[j], tensor.Float32)
		}
		got32 := runOp(t, "Conv", 11, c.attrs(), 1, in32...)[0]
		if got32.DType() != tensor.Float32 {
			t.Fatalf("case %d: dtype %v", i, got32.DType())
		}
		assertClose(t, got32, want, 1e-5, 1e-5)
		in16 := make([]*tensor.Tensor, len(in))
		for j := range in {
			in16[j] = nnCast(in[j], tensor.Float16)
		}
		got16 := runOp(t, "Conv", 11, c.attrs(), 1, in16...)[0]
		if got16.DType() != tensor.Float16 {
			t.Fatalf("case %d: dtype %v", i, got16.DType())
		}
		assertClose(t, got16, want, 2e-2, 2e-2)
	}
}

func TestConvLargeTiled(t *testing.T) {
	// Shrink the column buffer so that these use several tiles, with
	// both schedules (one product at a time, products in parallel).
	defer func(v int) { convMaxCol = v }(convMaxCol)
	convMaxCol = 4096
	rng := rand.New(rand.NewSource(7))
	for _, small := range []int{convSmallProduct, 0} {
		defer func(v int) { convSmallProduct = v }(convSmallProduct)
		convSmallProduct = small
		for _, c := range []convCase{
			{x: []int{1, 16, 20, 20}, w: []int{40, 16, 3, 3}, bias: true, strides: []int{1, 1}, dils: []int{1, 1}, padBegin: []int{1, 1}, padEnd: []int{1, 1}, group: 1},
			{x: []int{3, 8, 10, 10}, w: []int{8, 4, 3, 3}, bias: true, strides: []int{1, 1}, dils: []int{1, 1}, padBegin: []int{1, 1}, padEnd: []int{1, 1}, group: 2},
		} {
			in := c.inputs(rng)
			want := refConv(in[0], in[1], in[2], c.strides, c.dils, c.padBegin, c.padEnd, c.group)
			assertClose(t, runOp(t, "Conv", 11, c.attrs(), 1, in...)[0], want, 1e-12, 1e-12)
			assertClose(t, runOp(t, "Conv", 11, c.attrs(), 1, nnCast(in[0], tensor.Float32), nnCast(in[1], tensor.Float32), nnCast(in[2], tensor.Float32))[0], want, 1e-4, 1e-4)
			gradCheck(t, "Conv", 11, c.attrs(), in, 0, 1, 2)
		}
	}
}

func TestConvGradient(t *testing.T) {
	rng := rand.New(rand.NewSource(8))
	for _, c := range convCases {
		in := c.inputs(rng)
		wrt := []int{0, 1}
		if c.bias {
			wrt = append(wrt, 2)
		}
		gradCheck(t, "Conv", 11, c.attrs(), in, wrt...)
	}
}

func TestConvErrors(t *testing.T) {
	f := tensor.Make[float32]
	cases := []struct {
		in    []*tensor.Tensor
		attrs []runtime.Attribute
		want  error
	}{
		{[]*tensor.Tensor{f(1, 3, 5, 5), f(2, 2, 3, 3)}, nil, tensor.ErrShape},                                     // channels
		{[]*tensor.Tensor{f(1, 3, 5), f(2, 3, 3, 3)}, nil, tensor.ErrShape},                                        // rank
		{[]*tensor.Tensor{f(1, 3), f(2, 3)}, nil, tensor.ErrShape},                                                 // no spatial dims
		{[]*tensor.Tensor{f(1, 3, 2, 2), f(2, 3, 3, 3)}, nil, tensor.ErrShape},                                     // kernel larger than input
		{[]*tensor.Tensor{f(1, 3, 5, 5), f(2, 3, 3, 3), f(3)}, nil, tensor.ErrShape},                               // bias
		{[]*tensor.Tensor{f(1, 4, 5, 5), f(3, 2, 3, 3)}, attrsOf(attrInt("group", 2)), tensor.ErrShape},            // M not divisible
		{[]*tensor.Tensor{f(1, 3, 5, 5), f(2, 3, 3, 3)}, attrsOf(attrInts("strides", 1)), tensor.ErrShape},         // strides length
		{[]*tensor.Tensor{f(1, 3, 5, 5), f(2, 3, 3, 3)}, attrsOf(attrInts("pads", 1, 1)), tensor.ErrShape},         // pads length
		{[]*tensor.Tensor{f(1, 3, 5, 5), f(2, 3, 3, 3)}, attrsOf(attrInts("kernel_shape", 2, 2)), tensor.ErrShape}, // kernel_shape mismatch
		{[]*tensor.Tensor{f(1, 3, 5, 5), tensor.Make[float64](2, 3, 3, 3)}, nil, tensor.ErrDType},
		{[]*tensor.Tensor{tensor.Make[int32](1, 3, 5, 5), tensor.Make[int32](2, 3, 3, 3)}, nil, tensor.ErrDType},
	}
	for i, c := range cases {
		if err := runOpErr("Conv", 11, c.attrs, 1, c.in...); !errors.Is(err, c.want) {
			t.Errorf("case %d: got %v, want %v", i, err, c.want)
		}
	}
	for i, attrs := range [][]runtime.Attribute{
		attrsOf(attrInts("strides", 0, 1)),
		attrsOf(attrInts("dilations", -1, 1)),
		attrsOf(attrInts("pads", -1, 0, 0, 0)),
		attrsOf(attrString("auto_pad", "SAME")),
		attrsOf(attrInt("group", 0)),
	} {
		if err := runOpErr("Conv", 11, attrs, 1, f(1, 3, 5, 5), f(2, 3, 3, 3)); !errors.Is(err, runtime.ErrInvalidGraph) {
			t.Errorf("attrs %d: got %v, want an invalid-graph error", i, err)
		}
	}
}

func TestConvCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	x, w := tensor.Make[float32](1, 2, 8, 8), tensor.Make[float32](2, 2, 3, 3)
	_, _, err := runtime.RunNode(ctx, testRegistry(), opNode("Conv", []*tensor.Tensor{x, w}, 1), 11, []*tensor.Tensor{x, w}, runtime.RunOptions{})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
}

func TestConvConcurrentRuns(t *testing.T) {
	// One kernel serves concurrent runs; pooled column buffers must not be
	// shared between them.
	defer func(v int) { convMaxCol = v }(convMaxCol)
	convMaxCol = 512
	c := convCases[3]
	rng := rand.New(rand.NewSource(24))
	ctx := context.Background()
	in0 := c.inputs(rng)
	_, k, err := runtime.RunNode(ctx, testRegistry(), opNode("Conv", in0, 1, c.attrs()...), 11, in0, runtime.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	const runs = 8
	ins := make([][]*tensor.Tensor, runs)
	for i := range ins {
		ins[i] = c.inputs(rng)
	}
	errs := make(chan error, runs)
	outs := make([]*tensor.Tensor, runs)
	for i := 0; i < runs; i++ {
		go func(i int) {
			out, err := k.Run(runtime.NewRunContext(ctx, runtime.RunOptions{}), ins[i])
			if err == nil {
				outs[i] = out[0]
			}
			errs <- err
		}(i)
	}
	for i := 0; i < runs; i++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	for i, in := range ins {
		assertClose(t, outs[i], refConv(in[0], in[1], nil, c.strides, c.dils, c.padBegin, c.padEnd, c.group), 1e-12, 1e-12)
	}
}

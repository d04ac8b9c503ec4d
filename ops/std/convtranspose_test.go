package std

import (
	"errors"
	"math/rand"
	"testing"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// refConvTranspose scatters every input element times the kernel into the
// output by the definition: x[n, c, i] contributes w[c, m', q] to
// y[n, g·Mg+m', i·s - pb + q·d] when that lies inside the output.
func refConvTranspose(x, w, b *tensor.Tensor, s, d, pb, outSpatial []int, group int) *tensor.Tensor {
	xs, ws := x.Shape(), w.Shape()
	xd, wd := nnF64s(x), nnF64s(w)
	nd := len(xs) - 2
	n, c, mg := xs[0], xs[1], ws[1]
	cg := c / group
	m := mg * group
	out := append([]int{n, m}, outSpatial...)
	y := make([]float64, nnProd(out))
	if b != nil {
		for pos := range y {
			y[pos] = nnF64s(b)[nnUnravelIdx(pos, out)[1]]
		}
	}
	ksh := ws[2:]
	for xp := range xd {
		xi := nnUnravelIdx(xp, xs)
		g := xi[1] / cg
		for mi := 0; mi < mg; mi++ {
			for q := 0; q < nnProd(ksh); q++ {
				kv := nnUnravelIdx(q, ksh)
				yi := []int{xi[0], g*mg + mi}
				ok := true
				for i := 0; i < nd; i++ {
					v := xi[2+i]*s[i] - pb[i] + kv[i]*d[i]
					if v < 0 || v >= outSpatial[i] {
						ok = false
					}
					yi = append(yi, v)
				}
				if ok {
					wi := append([]int{xi[1], mi}, kv...)
					y[nnRavelIdx(yi, out)] += xd[xp] * wd[nnRavelIdx(wi, ws)]
				}
			}
		}
	}
	return nnF64Tensor(out, y)
}

type convTCase struct {
	x, w      []int
	bias      bool
	s, d      []int
	pb, out   []int // expected begin pads and output spatial shape
	group     int
	attrs     []runtime.Attribute
	noStrides bool
}

var convTCases = []convTCase{
	{x: []int{1, 2, 3}, w: []int{2, 3, 3}, bias: true, s: []int{1}, d: []int{1}, pb: []int{0}, out: []int{5}, group: 1},
	{x: []int{2, 2, 3, 3}, w: []int{2, 2, 3, 3}, s: []int{3, 2}, d: []int{1, 1}, pb: []int{1, 2}, out: []int{7, 3}, group: 1,
		attrs: attrsOf(attrInts("pads", 1, 2, 1, 2))},
	{x: []int{1, 1, 3, 3}, w: []int{1, 2, 3, 3}, s: []int{3, 2}, d: []int{1, 1}, pb: []int{0, 0}, out: []int{10, 8}, group: 1,
		attrs: attrsOf(attrInts("output_padding", 1, 1))},
	{x: []int{1, 1, 3, 3}, w: []int{1, 2, 3, 3}, s: []int{3, 2}, d: []int{1, 1}, pb: []int{0, 0}, out: []int{10, 8}, group: 1,
		attrs: attrsOf(attrInts("output_shape", 10, 8))},
	{x: []int{1, 1, 3, 3}, w: []int{1, 2, 3, 3}, s: []int{3, 2}, d: []int{1, 1}, pb: []int{1, 1}, out: []int{8, 6}, group: 1,
		attrs: attrsOf(attrInts("output_shape", 8, 6))},
	{x: []int{1, 1, 3, 3}, w: []int{1, 2, 3, 3}, s: []int{2, 2}, d: []int{1, 1}, pb: []int{0, 0}, out: []int{6, 6}, group: 1,
		attrs: attrsOf(attrString("auto_pad", "SAME_UPPER"))},
	{x: []int{1, 1, 3, 3}, w: []int{1, 2, 3, 3}, s: []int{2, 2}, d: []int{1, 1}, pb: []int{1, 1}, out: []int{6, 6}, group: 1,
		attrs: attrsOf(attrString("auto_pad", "SAME_LOWER"))},
	{x: []int{1, 1, 3, 3}, w: []int{1, 1, 2, 2}, s: []int{1, 1}, d: []int{2, 2}, pb: []int{0, 0}, out: []int{5, 5}, group: 1},
	{x: []int{2, 4, 3, 4}, w: []int{4, 3, 2, 3}, bias: true, s: []int{2, 1}, d: []int{1, 2}, pb: []int{1, 0}, out: []int{5, 7}, group: 2,
		attrs: attrsOf(attrInts("pads", 1, 0, 0, 1))},
	{x: []int{1, 2, 2, 3, 2}, w: []int{2, 1, 2, 2, 3}, bias: true, s: []int{1, 2, 1}, d: []int{1, 1, 1}, pb: []int{0, 0, 0}, out: []int{3, 6, 4}, group: 1},
	{x: []int{1, 3, 4, 4}, w: []int{3, 1, 3, 3}, s: []int{1, 1}, d: []int{1, 1}, pb: []int{1, 1}, out: []int{4, 4}, group: 3,
		attrs: attrsOf(attrInts("pads", 1, 1, 1, 1))},
}

func (c convTCase) allAttrs() []runtime.Attribute {
	i64 := func(v []int) []int64 {
		r := make([]int64, len(v))
		for i, x := range v {
			r[i] = int64(x)
		}
		return r
	}
	a := append([]runtime.Attribute(nil), c.attrs...)
	return append(a, attrInts("strides", i64(c.s)...), attrInts("dilations", i64(c.d)...), attrInt("group", int64(c.group)))
}

func TestConvTransposeMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewSource(9))
	for _, c := range convTCases {
		in := []*tensor.Tensor{randF64(rng, -1, 1, c.x...), randF64(rng, -1, 1, c.w...)}
		var b *tensor.Tensor
		if c.bias {
			b = randF64(rng, -1, 1, c.w[1]*c.group)
			in = append(in, b)
		}
		want := refConvTranspose(in[0], in[1], b, c.s, c.d, c.pb, c.out, c.group)
		got := runOp(t, "ConvTranspose", 11, c.allAttrs(), 1, in...)[0]
		assertClose(t, got, want, 1e-12, 1e-12)
		in32 := make([]*tensor.Tensor, len(in))
		for j := range in {
			in32[j] = nnCast(in[j], tensor.Float32)
		}
		assertClose(t, runOp(t, "ConvTranspose", 11, c.allAttrs(), 1, in32...)[0], want, 1e-5, 1e-5)
		wrt := []int{0, 1}
		if c.bias {
			wrt = append(wrt, 2)
		}
		gradCheck(t, "ConvTranspose", 11, c.allAttrs(), in, wrt...)
	}
}

func TestConvTransposeTiled(t *testing.T) {
	defer func(v int) { convMaxCol = v }(convMaxCol)
	convMaxCol = 256
	rng := rand.New(rand.NewSource(10))
	for _, n := range []int{1, 3} {
		x, w, b := randF64(rng, -1, 1, n, 3, 9, 10), randF64(rng, -1, 1, 3, 4, 3, 3), randF64(rng, -1, 1, 4)
		attrs := attrsOf(attrInts("strides", 2, 2), attrInts("pads", 1, 1, 0, 0))
		want := refConvTranspose(x, w, b, []int{2, 2}, []int{1, 1}, []int{1, 1}, []int{18, 20}, 1)
		assertClose(t, runOp(t, "ConvTranspose", 11, attrs, 1, x, w, b)[0], want, 1e-12, 1e-12)
		gradCheck(t, "ConvTranspose", 11, attrs, []*tensor.Tensor{x, w, b}, 0, 1, 2)
	}
}

func TestConvTransposeErrors(t *testing.T) {
	f := tensor.Make[float32]
	cases := []struct {
		in    []*tensor.Tensor
		attrs []runtime.Attribute
	}{
		{[]*tensor.Tensor{f(1, 3, 5, 5), f(2, 2, 3, 3)}, nil},
		{[]*tensor.Tensor{f(1, 3, 5), f(3, 2, 3, 3)}, nil},
		{[]*tensor.Tensor{f(1, 3, 5, 5), f(3, 2, 3, 3), f(3)}, nil},
		{[]*tensor.Tensor{f(1, 3, 1, 1), f(3, 2, 1, 1)}, attrsOf(attrInts("pads", 1, 1, 1, 1))},
		{[]*tensor.Tensor{f(1, 3, 5, 5), f(3, 2, 3, 3)}, attrsOf(attrInts("output_shape", 5))},
		{[]*tensor.Tensor{f(1, 3, 5, 5), f(3, 2, 3, 3)}, attrsOf(attrInts("output_padding", 1))},
	}
	for i, c := range cases {
		if err := runOpErr("ConvTranspose", 11, c.attrs, 1, c.in...); !errors.Is(err, tensor.ErrShape) {
			t.Errorf("case %d: got %v, want a shape error", i, err)
		}
	}
	if err := runOpErr("ConvTranspose", 11, attrsOf(attrInts("output_shape", 1<<20, 1<<20)), 1, f(1, 3, 5, 5), f(3, 2, 3, 3)); !errors.Is(err, runtime.ErrTooLarge) {
		t.Errorf("huge output_shape: got %v, want ErrTooLarge", err)
	}
}

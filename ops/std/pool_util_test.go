package std

import (
	"errors"
	"math"
	"testing"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// Shared by the pooling tests: window cases and a reference that walks
// every window by the definition.

type poolCase struct {
	x          []int
	k, s, d    []int
	pb, pe     []int
	out        []int // expected spatial output (worked out by hand)
	ceil       bool
	autoPad    string
	includePad bool
}

func nnI64s(v []int) []int64 {
	r := make([]int64, len(v))
	for i, x := range v {
		r[i] = int64(x)
	}
	return r
}

func (c poolCase) attrs() []runtime.Attribute {
	a := attrsOf(attrInts("kernel_shape", nnI64s(c.k)...))
	if c.s != nil {
		a = append(a, attrInts("strides", nnI64s(c.s)...))
	}
	if c.d != nil {
		a = append(a, attrInts("dilations", nnI64s(c.d)...))
	}
	if c.autoPad != "" {
		a = append(a, attrString("auto_pad", c.autoPad))
	} else if c.pb != nil {
		a = append(a, attrInts("pads", nnI64s(append(append([]int(nil), c.pb...), c.pe...))...))
	}
	if c.ceil {
		a = append(a, attrInt("ceil_mode", 1))
	}
	if c.includePad {
		a = append(a, attrInt("count_include_pad", 1))
	}
	return a
}

// refPool reduces every window: kind is "max" (also returning the flat
// argmax), "avg" or "lp2".
func refPool(x *tensor.Tensor, c poolCase, kind string) (*tensor.Tensor, []int64) {
	xs := x.Shape()
	xd := nnF64s(x)
	nd := len(xs) - 2
	s, d, pb, pe := c.s, c.d, c.pb, c.pe
	if s == nil {
		s = nnOnes(nd)
	}
	if d == nil {
		d = nnOnes(nd)
	}
	if pb == nil {
		pb, pe = make([]int, nd), make([]int, nd)
	}
	out := append([]int{xs[0], xs[1]}, c.out...)
	y := make([]float64, nnProd(out))
	arg := make([]int64, len(y))
	for pos := range y {
		o := nnUnravelIdx(pos, out)
		best, at, sum, cnt, padded := math.Inf(-1), -1, 0.0, 0, 0
		for q := 0; q < nnProd(c.k); q++ {
			kv := nnUnravelIdx(q, c.k)
			xi := []int{o[0], o[1]}
			in, inPad := true, true
			for i := 0; i < nd; i++ {
				v := o[2+i]*s[i] - pb[i] + kv[i]*d[i]
				in = in && v >= 0 && v < xs[2+i]
				inPad = inPad && v >= -pb[i] && v < xs[2+i]+pe[i]
				xi = append(xi, v)
			}
			if inPad {
				padded++
			}
			if !in {
				continue
			}
			v := xd[nnRavelIdx(xi, xs)]
			if v > best {
				best, at = v, nnRavelIdx(xi, xs)
			}
			sum += v
			if kind == "lp2" {
				sum += v*v - v
			}
			cnt++
		}
		switch kind {
		case "max":
			y[pos], arg[pos] = best, int64(at)
		case "avg":
			if c.includePad {
				cnt = padded
			}
			y[pos] = sum / float64(cnt)
		case "lp2":
			y[pos] = math.Sqrt(sum)
		}
	}
	return nnF64Tensor(out, y), arg
}

var poolCases = []poolCase{
	{x: []int{2, 3, 9}, k: []int{3}, out: []int{7}},
	{x: []int{1, 2, 9}, k: []int{3}, s: []int{2}, pb: []int{1}, pe: []int{2}, out: []int{5}},
	{x: []int{2, 2, 5, 6}, k: []int{2, 3}, s: []int{1, 2}, out: []int{4, 2}},
	{x: []int{1, 2, 5, 5}, k: []int{3, 3}, s: []int{2, 2}, pb: []int{1, 1}, pe: []int{1, 1}, out: []int{3, 3}},
	{x: []int{1, 2, 5, 5}, k: []int{3, 3}, s: []int{2, 2}, pb: []int{1, 1}, pe: []int{1, 1}, out: []int{3, 3}, includePad: true},
	{x: []int{1, 1, 6, 6}, k: []int{3, 3}, s: []int{2, 2}, out: []int{3, 3}, ceil: true},                                                     // overhanging last window
	{x: []int{1, 1, 6, 6}, k: []int{3, 3}, s: []int{2, 2}, pb: []int{1, 0}, pe: []int{1, 0}, out: []int{4, 3}, ceil: true, includePad: true}, // (6+2-3)/2 -> 3.5 -> 4
	{x: []int{1, 2, 5, 7}, k: []int{2, 2}, d: []int{2, 3}, out: []int{3, 4}},
	{x: []int{1, 1, 5, 4}, k: []int{3, 2}, s: []int{2, 2}, pb: []int{1, 0}, pe: []int{1, 0}, out: []int{3, 2}, autoPad: "SAME_UPPER"},
	{x: []int{1, 1, 4, 4}, k: []int{2, 2}, s: []int{1, 1}, pb: []int{1, 1}, pe: []int{0, 0}, out: []int{4, 4}, autoPad: "SAME_LOWER"},
	{x: []int{1, 1, 4, 4}, k: []int{2, 2}, s: []int{1, 1}, pb: []int{0, 0}, pe: []int{1, 1}, out: []int{4, 4}, autoPad: "SAME_UPPER", includePad: true},
	{x: []int{1, 1, 5, 4}, k: []int{2, 3}, s: []int{2, 1}, out: []int{2, 2}, autoPad: "VALID"},
	{x: []int{1, 2, 4, 3, 5}, k: []int{2, 2, 3}, s: []int{1, 2, 2}, pb: []int{0, 1, 1}, pe: []int{1, 0, 1}, out: []int{4, 2, 3}},
}

func TestPoolErrors(t *testing.T) {
	f := tensor.Make[float32]
	k2 := attrInts("kernel_shape", 2, 2)
	for _, op := range []string{"MaxPool", "AveragePool", "LpPool"} {
		shapeCases := []struct {
			x     *tensor.Tensor
			attrs []runtime.Attribute
		}{
			{f(1, 1, 4), attrsOf(k2)},                                        // kernel rank
			{f(4, 4), attrsOf(k2)},                                           // no spatial dims
			{f(1, 1, 1, 4), attrsOf(k2)},                                     // window larger than input
			{f(1, 1, 4, 4), attrsOf(k2, attrInts("strides", 1))},             // strides length
			{f(1, 1, 4, 4), attrsOf(k2, attrInts("pads", 1, 1, 1, 1, 1, 1))}, // pads length
			{f(1, 1, 4, 4), attrsOf(k2, attrInts("dilations", 1, 1, 1))},     // dilations length
		}
		for i, c := range shapeCases {
			if err := runOpErr(op, 18, c.attrs, 1, c.x); !errors.Is(err, tensor.ErrShape) {
				t.Errorf("%s case %d: got %v, want a shape error", op, i, err)
			}
		}
		if err := runOpErr(op, 18, nil, 1, f(1, 1, 4, 4)); !errors.Is(err, runtime.ErrInvalidGraph) {
			t.Errorf("%s without kernel_shape: %v", op, err)
		}
		if err := runOpErr(op, 18, attrsOf(k2), 1, tensor.Make[int32](1, 1, 4, 4)); !errors.Is(err, tensor.ErrDType) {
			t.Errorf("%s of int32: %v", op, err)
		}
	}
	if err := runOpErr("MaxPool", 12, attrsOf(k2, attrInt("storage_order", 2)), 1, f(1, 1, 4, 4)); !errors.Is(err, runtime.ErrInvalidGraph) {
		t.Errorf("storage_order 2: %v", err)
	}
	if err := runOpErr("LpPool", 11, attrsOf(k2, attrInt("p", 0)), 1, f(1, 1, 4, 4)); !errors.Is(err, runtime.ErrInvalidGraph) {
		t.Errorf("p 0: %v", err)
	}
	for _, op := range []string{"GlobalAveragePool", "GlobalMaxPool", "GlobalLpPool"} {
		if err := runOpErr(op, 2, nil, 1, f(4)); !errors.Is(err, tensor.ErrShape) {
			t.Errorf("%s of rank 1: %v", op, err)
		}
		if err := runOpErr(op, 2, nil, 1, tensor.Make[int64](1, 1, 2)); !errors.Is(err, tensor.ErrDType) {
			t.Errorf("%s of int64: %v", op, err)
		}
	}
}

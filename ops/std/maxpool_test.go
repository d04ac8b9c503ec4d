package std

import (
	"math"
	"math/rand"
	"testing"

	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestMaxPoolMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewSource(11))
	for i, c := range poolCases {
		if c.includePad {
			continue
		}
		x := randF64(rng, -1, 1, c.x...)
		want, wantArg := refPool(x, c, "max")
		out := runOp(t, "MaxPool", 12, c.attrs(), 2, x)
		assertClose(t, out[0], want, 0, 0)
		for j, v := range tensor.Data[int64](out[1]) {
			if v != wantArg[j] {
				t.Fatalf("case %d: indices %v, want %v", i, tensor.Data[int64](out[1]), wantArg)
			}
		}
		assertClose(t, runOp(t, "MaxPool", 12, c.attrs(), 1, nnCast(x, tensor.Float32))[0], want, 1e-7, 0)
		assertClose(t, runOp(t, "MaxPool", 12, c.attrs(), 1, nnCast(x, tensor.Float16))[0], want, 1e-3, 1e-3)
		gradCheck(t, "MaxPool", 12, c.attrs(), []*tensor.Tensor{x}, 0)
	}
}

func TestMaxPoolIntegersAndStorageOrder(t *testing.T) {
	x := tensor.MustFromSlice([]int{1, 1, 2, 3}, []uint8{1, 9, 3, 7, 5, 250})
	out := runOp(t, "MaxPool", 12, attrsOf(attrInts("kernel_shape", 2, 2), attrInt("storage_order", 1)), 2, x)
	if y := tensor.Data[uint8](out[0]); y[0] != 9 || y[1] != 250 {
		t.Fatalf("uint8 maxpool %v", y)
	}
	// Column-major indices of (0,1) and (1,2) in a 2×3 plane: 1·2+0, 2·2+1.
	if idx := tensor.Data[int64](out[1]); idx[0] != 2 || idx[1] != 5 {
		t.Fatalf("column-major indices %v, want [2 5]", idx)
	}
	xi := tensor.MustFromSlice([]int{1, 1, 3}, []int8{-5, -7, -100})
	y := runOp(t, "MaxPool", 12, attrsOf(attrInts("kernel_shape", 2), attrInts("pads", 1, 1)), 1, xi)[0]
	if d := tensor.Data[int8](y); len(d) != 4 || d[0] != -5 || d[1] != -5 || d[2] != -7 || d[3] != -100 {
		t.Fatalf("int8 maxpool with padding %v", d)
	}
	// A NaN in a window wins.
	xn := tensor.MustFromSlice([]int{1, 1, 3}, []float32{1, float32(math.NaN()), 2})
	yn := tensor.Data[float32](runOp(t, "MaxPool", 12, attrsOf(attrInts("kernel_shape", 2)), 1, xn)[0])
	if !math.IsNaN(float64(yn[0])) || !math.IsNaN(float64(yn[1])) {
		t.Fatalf("NaN should propagate: %v", yn)
	}
}

// TestMaxPool2DWide runs float32 2-D pools on planes wider than the vector
// blocks of the fast path (padding, ceil mode, dilation, a NaN) against
// the reference and (with a NaN, which wins) the float64 kernel.
func TestMaxPool2DWide(t *testing.T) {
	rng := rand.New(rand.NewSource(12))
	cases := []poolCase{
		{x: []int{2, 3, 37, 41}, k: []int{3, 3}, s: []int{2, 2}, out: []int{18, 20}, ceil: true},
		{x: []int{1, 4, 20, 35}, k: []int{3, 3}, s: []int{2, 2}, pb: []int{1, 1}, pe: []int{1, 1}, out: []int{10, 18}},
		{x: []int{1, 2, 19, 33}, k: []int{2, 3}, s: []int{1, 2}, d: []int{2, 1}, out: []int{17, 16}},
	}
	for _, c := range cases {
		x := nnCast(randF64(rng, -1, 1, c.x...), tensor.Float32)
		want, _ := refPool(nnCast(x, tensor.Float64), c, "max")
		assertClose(t, runOp(t, "MaxPool", 12, c.attrs(), 1, x)[0], want, 0, 0)
		tensor.Data[float32](x)[40] = float32(math.NaN())
		want = runOp(t, "MaxPool", 12, c.attrs(), 1, nnCast(x, tensor.Float64))[0]
		got := runOp(t, "MaxPool", 12, c.attrs(), 1, x)[0]
		gd, wd := tensor.Data[float32](got), tensor.Data[float64](want)
		nans := 0
		for i := range wd {
			if math.IsNaN(wd[i]) {
				nans++
			}
			if math.IsNaN(wd[i]) != math.IsNaN(float64(gd[i])) || !math.IsNaN(wd[i]) && float64(gd[i]) != wd[i] {
				t.Fatalf("%v: y[%d] = %v, want %v", c.x, i, gd[i], wd[i])
			}
		}
		if nans == 0 {
			t.Fatalf("%v: the NaN reached no output", c.x)
		}
	}
}

// The 2-D argmax path (training, Indices) against a naive reference on
// data full of ties and NaNs: the first maximal element in row-major
// window order wins, and a NaN beats every number.
func TestMaxPool2DArgTiesAndNaN(t *testing.T) {
	rng := rand.New(rand.NewSource(21))
	const n, c, h, w = 2, 3, 7, 8
	x := tensor.Make[float32](n, c, h, w)
	xd := tensor.Data[float32](x)
	for i := range xd {
		xd[i] = float32(rng.Intn(3))
		if rng.Intn(17) == 0 {
			xd[i] = float32(math.NaN())
		}
	}
	for _, k := range [][2]int{{2, 2}, {3, 2}} {
		for _, s := range []int{1, 2} {
			attrs := attrsOf(attrInts("kernel_shape", int64(k[0]), int64(k[1])), attrInts("strides", int64(s), int64(s)))
			out := runOp(t, "MaxPool", 12, attrs, 2, x)
			y, idx := tensor.Data[float32](out[0]), tensor.Data[int64](out[1])
			ho, wo := (h-k[0])/s+1, (w-k[1])/s+1
			p := 0
			for plane := 0; plane < n*c; plane++ {
				for oy := 0; oy < ho; oy++ {
					for ox := 0; ox < wo; ox++ {
						best, at := float32(0), -1
						for i := 0; i < k[0]; i++ {
							for j := 0; j < k[1]; j++ {
								off := plane*h*w + (oy*s+i)*w + ox*s + j
								v := xd[off]
								if at < 0 || v > best || (v != v && best == best) {
									best, at = v, off
								}
							}
						}
						if int64(at) != idx[p] || !(y[p] == best || (y[p] != y[p] && best != best)) {
							t.Fatalf("k=%v s=%d output %d: got (%v, %d), want (%v, %d)", k, s, p, y[p], idx[p], best, at)
						}
						p++
					}
				}
			}
		}
	}
}

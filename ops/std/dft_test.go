package std

import (
	"errors"
	"math"
	"math/rand"
	"testing"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// naiveDFT is the O(n²) definition: X[k] = s Σ_j x[j] e^{∓2πi jk/n}.
func naiveDFT(x []complex128, n int, inverse bool) []complex128 {
	out := make([]complex128, n)
	sign, s := -1.0, 1.0
	if inverse {
		sign, s = 1, 1/float64(n)
	}
	for k := 0; k < n; k++ {
		var acc complex128
		for j := 0; j < n && j < len(x); j++ {
			a := sign * 2 * math.Pi * float64(j*k%n) / float64(n)
			acc += x[j] * complex(math.Cos(a), math.Sin(a))
		}
		out[k] = acc * complex(s, 0)
	}
	return out
}

func TestFFTPlanMatchesNaive(t *testing.T) {
	rng := rand.New(rand.NewSource(4))
	for _, n := range []int{1, 2, 3, 5, 8, 12, 17, 64, 100, 127} {
		for _, inv := range []bool{false, true} {
			x := make([]complex128, n)
			for i := range x {
				x[i] = complex(rng.Float64()*2-1, rng.Float64()*2-1)
			}
			want := naiveDFT(x, n, inv)
			p := newFFTPlan(n, inv)
			got := append([]complex128{}, x...)
			p.transform(got, make([]complex128, p.workLen()))
			for k := range got {
				if inv {
					got[k] /= complex(float64(n), 0)
				}
				if d := got[k] - want[k]; math.Hypot(real(d), imag(d)) > 1e-9*float64(n) {
					t.Fatalf("n=%d inverse=%v bin %d: %v, want %v", n, inv, k, got[k], want[k])
				}
			}
		}
	}
}

func TestDFTOp(t *testing.T) {
	rng := rand.New(rand.NewSource(8))
	// x: [2, 6, 3, 2] complex signal; transform axis 1 and axis -2 (= 2).
	x := randF64(rng, -1, 1, 2, 6, 3, 2)
	xd := tensor.Data[float64](x)
	at := func(b, i, j int) complex128 { o := ((b*6+i)*3 + j) * 2; return complex(xd[o], xd[o+1]) }
	for _, c := range []struct {
		axis    int64
		length  int64 // 0: none
		inverse int64
	}{{1, 0, 0}, {1, 0, 1}, {-2, 0, 0}, {1, 4, 0}, {1, 9, 1}, {2, 5, 0}} {
		var in []*tensor.Tensor
		in = append(in, x)
		if c.length > 0 {
			in = append(in, tensor.Scalar(c.length))
		}
		got := runOp(t, "DFT", 17, attrsOf(attrInt("axis", c.axis), attrInt("inverse", c.inverse)), 1, in...)[0]
		ax := int(c.axis)
		if ax < 0 {
			ax += 4
		}
		L := x.Dim(ax)
		n := L
		if c.length > 0 {
			n = int(c.length)
		}
		shape := []int{2, 6, 3, 2}
		shape[ax] = n
		want := tensor.Make[float64](shape...)
		wd := tensor.Data[float64](want)
		for b := 0; b < 2; b++ {
			other := 3
			if ax == 2 {
				other = 6
			}
			for o := 0; o < other; o++ {
				line := make([]complex128, min(L, n))
				for j := range line {
					if ax == 1 {
						line[j] = at(b, j, o)
					} else {
						line[j] = at(b, o, j)
					}
				}
				res := naiveDFT(line, n, c.inverse == 1)
				for k, v := range res {
					var off int
					if ax == 1 {
						off = ((b*n+k)*3 + o) * 2
					} else {
						off = ((b*6+o)*n + k) * 2
					}
					wd[off], wd[off+1] = real(v), imag(v)
				}
			}
		}
		assertClose(t, got, want, 1e-9, 1e-9)
	}
}

func TestDFTRealOnesided(t *testing.T) {
	x := tensor.MustFromSlice([]int{1, 5, 1}, []float32{1, 2, 0, -1, 3})
	full := runOp(t, "DFT", 17, nil, 1, x)[0]
	half := runOp(t, "DFT", 17, attrsOf(attrInt("onesided", 1)), 1, x)[0]
	if !tensor.SameShape(half.Shape(), []int{1, 3, 2}) || !tensor.SameShape(full.Shape(), []int{1, 5, 2}) {
		t.Fatalf("shapes %v %v", full.Shape(), half.Shape())
	}
	want := naiveDFT([]complex128{1, 2, 0, -1, 3}, 5, false)
	for k := 0; k < 5; k++ {
		f := tensor.Data[float32](full)
		if math.Abs(float64(f[2*k])-real(want[k])) > 1e-5 || math.Abs(float64(f[2*k+1])-imag(want[k])) > 1e-5 {
			t.Fatalf("bin %d: %v %v, want %v", k, f[2*k], f[2*k+1], want[k])
		}
		if k < 3 && (tensor.Data[float32](half)[2*k] != f[2*k] || tensor.Data[float32](half)[2*k+1] != f[2*k+1]) {
			t.Fatalf("onesided bin %d differs", k)
		}
	}
}

func TestDFTErrors(t *testing.T) {
	x := tensor.Make[float32](1, 4, 1)
	c := tensor.Make[float32](1, 4, 2)
	cases := []struct {
		attrs []runtime.Attribute
		in    []*tensor.Tensor
		want  error
	}{
		{nil, []*tensor.Tensor{tensor.Make[float32](1, 4, 3)}, tensor.ErrShape},
		{attrsOf(attrInt("axis", 2)), []*tensor.Tensor{x}, tensor.ErrShape},
		{attrsOf(attrInt("axis", -4)), []*tensor.Tensor{x}, tensor.ErrShape},
		{attrsOf(attrInt("onesided", 1)), []*tensor.Tensor{c}, tensor.ErrShape},
		{nil, []*tensor.Tensor{x, tensor.Scalar(int64(0))}, tensor.ErrShape},
		{nil, []*tensor.Tensor{x, tensor.Scalar(float32(4))}, tensor.ErrDType},
		{nil, []*tensor.Tensor{tensor.Make[int32](1, 4, 1)}, tensor.ErrDType},
		{nil, []*tensor.Tensor{x, tensor.Scalar(int64(1) << 38)}, runtime.ErrTooLarge},
		{attrsOf(attrInt("onesided", 1), attrInt("inverse", 1)), []*tensor.Tensor{x}, runtime.ErrInvalidGraph},
	}
	for i, c := range cases {
		if err := runOpErr("DFT", 17, c.attrs, 1, c.in...); !errors.Is(err, c.want) {
			t.Errorf("case %d: %v, want %v", i, err, c.want)
		}
	}
}

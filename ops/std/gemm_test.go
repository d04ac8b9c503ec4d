package std

import (
	"errors"
	"math/rand"
	"testing"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// refGemm computes alpha·op(A)·op(B) + beta·C by the definition.
func refGemm(a, b, c *tensor.Tensor, transA, transB bool, alpha, beta float64) *tensor.Tensor {
	ad, bd := nnF64s(a), nnF64s(b)
	m, k := a.Shape()[0], a.Shape()[1]
	if transA {
		m, k = k, m
	}
	n := b.Shape()[1]
	if transB {
		n = b.Shape()[0]
	}
	at := func(i, p int) float64 {
		if transA {
			return ad[p*m+i]
		}
		return ad[i*k+p]
	}
	bt := func(p, j int) float64 {
		if transB {
			return bd[j*k+p]
		}
		return bd[p*n+j]
	}
	out := make([]float64, m*n)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			s := 0.0
			for p := 0; p < k; p++ {
				s += at(i, p) * bt(p, j)
			}
			out[i*n+j] = alpha * s
			if c != nil {
				cd, cs := nnF64s(c), c.Shape()
				ci, cj := 0, 0
				if len(cs) == 2 {
					ci, cj = i%cs[0], j%cs[1]
					out[i*n+j] += beta * cd[ci*cs[1]+cj]
				} else if len(cs) == 1 {
					out[i*n+j] += beta * cd[j%cs[0]]
				} else {
					out[i*n+j] += beta * cd[0]
				}
			}
		}
	}
	return nnF64Tensor([]int{m, n}, out)
}

func gemmAttrs(transA, transB bool, alpha, beta float32) []runtime.Attribute {
	b2i := func(b bool) int64 {
		if b {
			return 1
		}
		return 0
	}
	return attrsOf(attrInt("transA", b2i(transA)), attrInt("transB", b2i(transB)), attrFloat("alpha", alpha), attrFloat("beta", beta))
}

func TestGemmMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewSource(4))
	m, n, k := 5, 7, 3
	for _, transA := range []bool{false, true} {
		for _, transB := range []bool{false, true} {
			for _, cs := range [][]int{nil, {m, n}, {n}, {1, n}, {m, 1}, {}, {1}} {
				as, bs := []int{m, k}, []int{k, n}
				if transA {
					as = []int{k, m}
				}
				if transB {
					bs = []int{n, k}
				}
				a, b := randF64(rng, -1, 1, as...), randF64(rng, -1, 1, bs...)
				in := []*tensor.Tensor{a, b}
				var c *tensor.Tensor
				if cs != nil {
					c = randF64(rng, -1, 1, cs...)
					in = append(in, c)
				}
				attrs := gemmAttrs(transA, transB, 0.7, -1.3)
				want := refGemm(a, b, c, transA, transB, float64(float32(0.7)), float64(float32(-1.3)))
				assertClose(t, runOp(t, "Gemm", 13, attrs, 1, in...)[0], want, 1e-12, 1e-12)
				in32 := make([]*tensor.Tensor, len(in))
				for i, x := range in {
					in32[i] = nnCast(x, tensor.Float32)
				}
				assertClose(t, runOp(t, "Gemm", 13, attrs, 1, in32...)[0], want, 1e-5, 1e-5)
				if c != nil {
					gradCheck(t, "Gemm", 13, attrs, in, 0, 1, 2)
				} else {
					gradCheck(t, "Gemm", 13, attrs, in, 0, 1)
				}
			}
		}
	}
}

func TestGemmLargeAndInteger(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	a, b, c := randF64(rng, -1, 1, 150, 70), randF64(rng, -1, 1, 90, 70), randF64(rng, -1, 1, 90)
	attrs := gemmAttrs(false, true, 1, 1)
	assertClose(t, runOp(t, "Gemm", 11, attrs, 1, nnCast(a, tensor.Float32), nnCast(b, tensor.Float32), nnCast(c, tensor.Float32))[0],
		refGemm(a, b, c, false, true, 1, 1), 1e-4, 1e-4)
	ai := tensor.MustFromSlice([]int{2, 2}, []int32{1, 2, 3, 4})
	bi := tensor.MustFromSlice([]int{2, 2}, []int32{5, 6, 7, 8})
	ci := tensor.MustFromSlice([]int{2}, []int32{100, 200})
	got := tensor.Data[int32](runOp(t, "Gemm", 13, attrsOf(attrFloat("alpha", 2), attrFloat("beta", 3)), 1, ai, bi, ci)[0])
	want := []int32{2*19 + 300, 2*22 + 600, 2*43 + 300, 2*50 + 600}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("int32 gemm %v, want %v", got, want)
		}
	}
	// Zero-sized K: the product is zero, Y = beta·C.
	z := runOp(t, "Gemm", 13, nil, 1, tensor.Make[float32](2, 0), tensor.Make[float32](0, 3), tensor.MustFromSlice([]int{3}, []float32{1, 2, 3}))[0]
	assertClose(t, z, tensor.MustFromSlice([]int{2, 3}, []float32{1, 2, 3, 1, 2, 3}), 0, 0)
}

func TestGemmErrors(t *testing.T) {
	f := tensor.Make[float32]
	cases := []struct {
		in   []*tensor.Tensor
		want error
	}{
		{[]*tensor.Tensor{f(2, 3), f(4, 5)}, tensor.ErrShape},
		{[]*tensor.Tensor{f(2, 3, 1), f(3, 5)}, tensor.ErrShape},
		{[]*tensor.Tensor{f(2, 3), f(3, 5), f(3, 5)}, tensor.ErrShape},
		{[]*tensor.Tensor{f(2, 3), f(3, 5), f(1, 1, 5)}, tensor.ErrShape},
		{[]*tensor.Tensor{f(2, 3), tensor.Make[float64](3, 5)}, tensor.ErrDType},
		{[]*tensor.Tensor{tensor.Make[int8](2, 3), tensor.Make[int8](3, 5)}, tensor.ErrDType},
	}
	for i, c := range cases {
		if err := runOpErr("Gemm", 13, nil, 1, c.in...); !errors.Is(err, c.want) {
			t.Errorf("case %d: got %v, want %v", i, err, c.want)
		}
	}
	// Before opset 11 C is required.
	if err := runOpErr("Gemm", 9, nil, 1, f(2, 3), f(3, 5)); err == nil {
		t.Errorf("Gemm-9 without C should fail")
	}
}

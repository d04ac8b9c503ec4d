package std

import (
	"errors"
	"math/rand"
	"testing"

	"github.com/optnet-go/optnet/runtime/tensor"
)

// refMatMul is NumPy's matmul by its definition: promote 1-D operands,
// broadcast the batch dims index by index, sum products.
func refMatMul(a, b *tensor.Tensor) *tensor.Tensor {
	as, bs := a.Shape(), b.Shape()
	ad, bd := nnF64s(a), nnF64s(b)
	pa, pb := as, bs
	if len(as) == 1 {
		pa = []int{1, as[0]}
	}
	if len(bs) == 1 {
		pb = []int{bs[0], 1}
	}
	m, k, n := pa[len(pa)-2], pa[len(pa)-1], pb[len(pb)-1]
	rank := max(len(pa), len(pb)) - 2
	batch := make([]int, rank)
	dimAt := func(s []int, d int) int { // batch dim d of s, right-aligned
		i := d - (rank - (len(s) - 2))
		if i < 0 {
			return 1
		}
		return s[i]
	}
	for d := range batch {
		batch[d] = max(dimAt(pa, d), dimAt(pb, d))
	}
	nb := nnProd(batch)
	out := make([]float64, nb*m*n)
	for bi := 0; bi < nb; bi++ {
		idx := nnUnravelIdx(bi, batch)
		offA, offB := 0, 0
		for d := range batch {
			if i := d - (rank - (len(pa) - 2)); i >= 0 {
				offA = offA*pa[i] + idx[d]%pa[i]
			}
			if i := d - (rank - (len(pb) - 2)); i >= 0 {
				offB = offB*pb[i] + idx[d]%pb[i]
			}
		}
		for i := 0; i < m; i++ {
			for j := 0; j < n; j++ {
				s := 0.0
				for p := 0; p < k; p++ {
					s += ad[offA*m*k+i*k+p] * bd[offB*k*n+p*n+j]
				}
				out[bi*m*n+i*n+j] = s
			}
		}
	}
	shape := append([]int(nil), batch...)
	if len(as) > 1 {
		shape = append(shape, m)
	}
	if len(bs) > 1 {
		shape = append(shape, n)
	}
	return nnF64Tensor(shape, out)
}

var matMulShapes = [][2][]int{
	{{3, 4}, {4, 5}},
	{{4}, {4, 5}},
	{{3, 4}, {4}},
	{{4}, {4}},
	{{2, 3, 4}, {4, 5}},
	{{3, 4}, {2, 4, 5}},
	{{2, 1, 3, 4}, {3, 4, 2}},
	{{1, 3, 4}, {2, 1, 4, 5}},
	{{2, 3, 4}, {4}},
	{{5}, {2, 5, 3}},
	{{2, 0, 4}, {4, 3}},
	{{2, 3, 0}, {0, 3}},
	{{70, 130}, {130, 90}},
}

func TestMatMulMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for _, sh := range matMulShapes {
		a, b := randF64(rng, -1, 1, sh[0]...), randF64(rng, -1, 1, sh[1]...)
		want := refMatMul(a, b)
		got := runOp(t, "MatMul", 13, nil, 1, a, b)[0]
		assertClose(t, got, want, 1e-12, 1e-12)
		got32 := runOp(t, "MatMul", 13, nil, 1, nnCast(a, tensor.Float32), nnCast(b, tensor.Float32))[0]
		if got32.DType() != tensor.Float32 {
			t.Fatalf("dtype %v", got32.DType())
		}
		assertClose(t, got32, want, 1e-4, 1e-5)
	}
}

func TestMatMulIntegerAndHalf(t *testing.T) {
	a := tensor.MustFromSlice([]int{2, 2}, []int64{1, 2, 3, 4})
	b := tensor.MustFromSlice([]int{2, 3}, []int64{5, 6, 7, 8, 9, 10})
	got := runOp(t, "MatMul", 13, nil, 1, a, b)[0]
	want := []int64{21, 24, 27, 47, 54, 61}
	for i, v := range tensor.Data[int64](got) {
		if v != want[i] {
			t.Fatalf("int64 matmul: %v want %v", tensor.Data[int64](got), want)
		}
	}
	u := runOp(t, "MatMul", 13, nil, 1, tensor.MustFromSlice([]int{1, 1}, []uint32{3}), tensor.MustFromSlice([]int{1, 2}, []uint32{4, 5}))[0]
	if d := tensor.Data[uint32](u); d[0] != 12 || d[1] != 15 {
		t.Fatalf("uint32 matmul: %v", d)
	}
	rng := rand.New(rand.NewSource(2))
	x, y := randF64(rng, -1, 1, 2, 3, 4), randF64(rng, -1, 1, 4, 2)
	h := runOp(t, "MatMul", 13, nil, 1, nnCast(x, tensor.Float16), nnCast(y, tensor.Float16))[0]
	if h.DType() != tensor.Float16 {
		t.Fatalf("dtype %v", h.DType())
	}
	assertClose(t, h, refMatMul(nnCast(nnCast(x, tensor.Float16), tensor.Float64), nnCast(nnCast(y, tensor.Float16), tensor.Float64)), 1e-2, 1e-2)
}

func TestMatMulErrors(t *testing.T) {
	f := tensor.Make[float32]
	cases := []struct {
		a, b *tensor.Tensor
		want error
	}{
		{f(2, 3), f(4, 5), tensor.ErrShape},
		{f(3), f(4), tensor.ErrShape},
		{tensor.Scalar(float32(1)), f(1, 2), tensor.ErrShape},
		{f(2, 2, 3), f(3, 3, 4), tensor.ErrShape},
		{f(2, 3), tensor.Make[float64](3, 2), tensor.ErrDType},
		{tensor.Make[bool](2, 2), tensor.Make[bool](2, 2), tensor.ErrDType},
	}
	for i, c := range cases {
		if err := runOpErr("MatMul", 13, nil, 1, c.a, c.b); !errors.Is(err, c.want) {
			t.Errorf("case %d: got %v, want %v", i, err, c.want)
		}
	}
}

func TestMatMulGradient(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	for _, sh := range matMulShapes {
		if nnProd(sh[0]) == 0 || nnProd(sh[1]) == 0 || nnProd(sh[0]) > 1000 {
			continue
		}
		gradCheck(t, "MatMul", 13, nil, []*tensor.Tensor{randF64(rng, -1, 1, sh[0]...), randF64(rng, -1, 1, sh[1]...)}, 0, 1)
	}
}

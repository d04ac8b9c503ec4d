package std

import (
	"errors"
	"math/rand"
	"testing"

	"github.com/optnet-go/optnet/runtime/tensor"
)

// nnRandU8 and randI8 return random 8-bit tensors.
func nnRandU8(rng *rand.Rand, shape ...int) *tensor.Tensor {
	t := tensor.Make[uint8](shape...)
	for i := range tensor.Data[uint8](t) {
		tensor.Data[uint8](t)[i] = uint8(rng.Intn(256))
	}
	return t
}

func nnRandI8(rng *rand.Rand, shape ...int) *tensor.Tensor {
	t := tensor.Make[int8](shape...)
	for i := range tensor.Data[int8](t) {
		tensor.Data[int8](t)[i] = int8(rng.Intn(256) - 128)
	}
	return t
}

// qMinusZP returns x - zp as float64, zp broadcast per the given shape.
func qMinusZP(x, zp *tensor.Tensor, zpShape []int) *tensor.Tensor {
	xv := nnF64s(x)
	out := make([]float64, len(xv))
	if zp == nil {
		copy(out, xv)
		return nnF64Tensor(x.Shape(), out)
	}
	zt := nnF64Tensor(zpShape, nnF64s(zp))
	r, err := map2[float64, float64](nnF64Tensor(x.Shape(), xv), zt, func(a, b float64) float64 { return a - b })
	if err != nil {
		panic(err)
	}
	return r
}

func TestMatMulInteger(t *testing.T) {
	rng := rand.New(rand.NewSource(18))
	for _, c := range []struct {
		a, b        []int
		azp, bzp    []int // zero point shapes (nil: absent)
		azs, bzs    []int // how they broadcast
		signedA, sB bool
	}{
		{a: []int{3, 4}, b: []int{4, 5}},
		{a: []int{3, 4}, b: []int{4, 5}, azp: []int{}, bzp: []int{}, azs: []int{}, bzs: []int{}},
		{a: []int{3, 4}, b: []int{4, 5}, azp: []int{3}, bzp: []int{5}, azs: []int{3, 1}, bzs: []int{5}, signedA: true},
		{a: []int{2, 3, 4}, b: []int{4, 5}, azp: []int{1}, azs: []int{1}, sB: true},
		{a: []int{2, 3, 4}, b: []int{2, 4, 5}, azp: []int{2, 3, 1}, bzp: []int{2, 1, 5}, azs: []int{2, 3, 1}, bzs: []int{2, 1, 5}},
		{a: []int{4}, b: []int{4, 5}},
	} {
		gen := func(signed bool, shape []int) *tensor.Tensor {
			if signed {
				return nnRandI8(rng, shape...)
			}
			return nnRandU8(rng, shape...)
		}
		a, b := gen(c.signedA, c.a), gen(c.sB, c.b)
		in := []*tensor.Tensor{a, b}
		var azp, bzp *tensor.Tensor
		if c.azp != nil {
			azp = gen(c.signedA, c.azp)
			in = append(in, azp)
		} else if c.bzp != nil {
			in = append(in, nil)
		}
		if c.bzp != nil {
			bzp = gen(c.sB, c.bzp)
			in = append(in, bzp)
		}
		want := refMatMul(qMinusZP(a, azp, c.azs), qMinusZP(b, bzp, c.bzs))
		got := runOp(t, "MatMulInteger", 10, nil, 1, in...)[0]
		if got.DType() != tensor.Int32 {
			t.Fatalf("dtype %v", got.DType())
		}
		assertClose(t, got, want, 0, 0)
	}
}

func TestMatMulIntegerErrors(t *testing.T) {
	u := tensor.Make[uint8]
	cases := []struct {
		in   []*tensor.Tensor
		want error
	}{
		{[]*tensor.Tensor{tensor.Make[float32](2, 2), u(2, 2)}, tensor.ErrDType},
		{[]*tensor.Tensor{u(2, 3), u(2, 2)}, tensor.ErrShape},
		{[]*tensor.Tensor{u(2, 2), u(2, 2), tensor.Scalar(int8(1))}, tensor.ErrDType},
		{[]*tensor.Tensor{u(2, 2), u(2, 2), u(3)}, tensor.ErrShape},
	}
	for i, c := range cases {
		if err := runOpErr("MatMulInteger", 10, nil, 1, c.in...); !errors.Is(err, c.want) {
			t.Errorf("case %d: got %v, want %v", i, err, c.want)
		}
	}
}

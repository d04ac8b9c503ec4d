package std

import (
	"errors"
	"math/rand"
	"testing"

	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestQLinearConv(t *testing.T) {
	rng := rand.New(rand.NewSource(21))
	c := convCases[3]
	x, w := nnRandU8(rng, c.x...), nnRandU8(rng, c.w...)
	m := c.w[0]
	xs, xzp := tensor.Scalar(float32(0.02)), tensor.Scalar(uint8(120))
	ws := tensor.MustFromSlice([]int{m}, []float32{0.003, 0.004, 0.005})
	wzp := tensor.MustFromSlice([]int{m}, []uint8{100, 128, 140})
	ys, yzp := tensor.Scalar(float32(0.3)), tensor.Scalar(uint8(128))
	bias := tensor.MustFromSlice([]int{m}, []int32{-500, 0, 700})
	got := runOp(t, "QLinearConv", 10, c.attrs(), 1, x, xs, xzp, w, ws, wzp, ys, yzp, bias)[0]
	acc := refConv(qMinusZP(x, xzp, []int{}), qMinusZP(w, wzp, []int{m, 1, 1, 1}), nnCast(bias, tensor.Float64), c.strides, c.dils, c.padBegin, c.padEnd, c.group)
	av := nnF64s(acc)
	want := make([]float64, len(av))
	per := len(av) / m // one image
	for i, v := range av {
		ch := i / per
		mult := float32(0.02) * tensor.Data[float32](ws)[ch] / float32(0.3)
		want[i] = qRequant(v, mult, 128, 0, 255)
	}
	if got.DType() != tensor.Uint8 {
		t.Fatalf("dtype %v", got.DType())
	}
	assertClose(t, got, nnF64Tensor(acc.Shape(), want), 0, 0)
	if err := runOpErr("QLinearConv", 10, c.attrs(), 1, x, xs, xzp, w, ws, wzp, ys, yzp, tensor.Make[int32](2)); !errors.Is(err, tensor.ErrShape) {
		t.Fatalf("bad bias: %v", err)
	}
	if err := runOpErr("QLinearConv", 10, c.attrs(), 1, x, xs, xzp, w, tensor.Make[float32](2), wzp, ys, yzp); !errors.Is(err, tensor.ErrShape) {
		t.Fatalf("bad w_scale: %v", err)
	}
}

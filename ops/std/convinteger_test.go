package std

import (
	"errors"
	"math/rand"
	"testing"

	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestConvInteger(t *testing.T) {
	rng := rand.New(rand.NewSource(20))
	for _, c := range convCases {
		x, w := nnRandU8(rng, c.x...), nnRandI8(rng, c.w...)
		xzp := tensor.Scalar(uint8(rng.Intn(256)))
		wzp := nnRandI8(rng, c.w[0])
		wzs := append([]int{c.w[0]}, nnOnes(len(c.w)-1)...)
		want := refConv(qMinusZP(x, xzp, []int{}), qMinusZP(w, wzp, wzs), nil, c.strides, c.dils, c.padBegin, c.padEnd, c.group)
		got := runOp(t, "ConvInteger", 10, c.attrs(), 1, x, w, xzp, wzp)[0]
		if got.DType() != tensor.Int32 {
			t.Fatalf("dtype %v", got.DType())
		}
		assertClose(t, got, want, 0, 0)
		// No zero points.
		assertClose(t, runOp(t, "ConvInteger", 10, c.attrs(), 1, x, w)[0],
			refConv(nnCast(x, tensor.Float64), nnCast(w, tensor.Float64), nil, c.strides, c.dils, c.padBegin, c.padEnd, c.group), 0, 0)
	}
	if err := runOpErr("ConvInteger", 10, nil, 1, tensor.Make[float32](1, 1, 3, 3), tensor.Make[uint8](1, 1, 2, 2)); !errors.Is(err, tensor.ErrDType) {
		t.Fatalf("float input: %v", err)
	}
	if err := runOpErr("ConvInteger", 10, nil, 1, tensor.Make[uint8](1, 1, 3, 3), tensor.Make[uint8](2, 1, 2, 2), tensor.Make[uint8](2)); !errors.Is(err, tensor.ErrShape) {
		t.Fatalf("per-channel x zero point: %v", err)
	}
	if err := runOpErr("ConvInteger", 10, nil, 1, tensor.Make[uint8](1, 1, 3, 3), tensor.Make[uint8](2, 1, 2, 2), nil, tensor.Make[uint8](3)); !errors.Is(err, tensor.ErrShape) {
		t.Fatalf("w zero point of the wrong length: %v", err)
	}
}

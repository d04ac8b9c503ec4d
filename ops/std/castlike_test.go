package std

import (
	"math/rand"
	"testing"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestCastLike(t *testing.T) {
	x := tensor.MustFromSlice([]int{2}, []float64{2.7, -1.5})
	got := runOp(t, "CastLike", 15, nil, 1, x, tensor.Make[int16](0))[0]
	if got.DType() != tensor.Int16 || tensor.Data[int16](got)[0] != 2 || tensor.Data[int16](got)[1] != -1 {
		t.Fatalf("got %v %v", got, got.Raw())
	}
	s := runOp(t, "CastLike", 15, nil, 1, x, tensor.Scalar("like"))[0]
	if d := tensor.Data[string](s); d[0] != "2.7" || d[1] != "-1.5" {
		t.Fatalf("string: %v", d)
	}
	ewExpectErr(t, "bad string", runOpErr("CastLike", 15, nil, 1, tensor.Scalar("x"), tensor.Scalar(float32(0))), tensor.ErrDType)
}

func TestCastLikeGradient(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	x := ewToF32(t, randF64(rng, -1, 1, 4))
	like := tensor.Make[float64](1)
	f, k, err := runtime.RunNode(t.Context(), testRegistry(), opNode("CastLike", []*tensor.Tensor{x, like}, 1), 15, []*tensor.Tensor{x, like}, runtime.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	g := randF64(rng, -1, 1, 4)
	gs, err := runtime.BackwardNode(t.Context(), k, f, []*tensor.Tensor{g}, nil, runtime.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if gs[1] != nil || gs[0].DType() != tensor.Float32 {
		t.Fatalf("gradients %v", gs)
	}
	assertClose(t, gs[0], g, 1e-7, 0)
}

package std

import (
	"context"
	"math"
	"math/rand"
	"testing"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// Benchmarks of the float32 hot paths: go test -run X -bench Elementwise ./ops/std

func benchOp(b *testing.B, op string, version int, in ...*tensor.Tensor) {
	// RunNode builds the kernel (and checks the op runs); the loop then
	// times Run alone.
	_, kern, err := runtime.RunNode(context.Background(), testRegistry(), opNode(op, in, 1), version, in, runtime.RunOptions{})
	if err != nil {
		b.Fatal(err)
	}
	rc := runtime.NewRunContext(context.Background(), runtime.RunOptions{})
	b.SetBytes(int64(4 * in[0].Len()))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := kern.Run(rc, in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkElementwise(b *testing.B) {
	rng := rand.New(rand.NewSource(1))
	x := ewRandF32(rng, -4, 4, 1<<20)
	y := ewRandF32(rng, 0.5, 4, 1<<20)
	row := ewRandF32(rng, 0.5, 4, 1024)
	for _, op := range []string{"Exp", "Tanh", "Sigmoid", "Erf", "Sqrt", "Neg", "Abs"} {
		in := x
		if op == "Sqrt" {
			in = y
		}
		b.Run(op, func(b *testing.B) { benchOp(b, op, 13, in) })
	}
	for _, op := range []string{"Sub", "Mul", "Div"} {
		b.Run(op, func(b *testing.B) { benchOp(b, op, 14, x, y) })
		xr, _ := x.Reshape(1024, 1024)
		b.Run(op+"Row", func(b *testing.B) { benchOp(b, op, 14, xr, row) })
	}
	b.Run("LeakyRelu", func(b *testing.B) { benchOp(b, "LeakyRelu", 16, x) })
	b.Run("Clip", func(b *testing.B) { benchOp(b, "Clip", 13, x, tensor.Scalar(float32(0)), tensor.Scalar(float32(6))) })
	b.Run("Where", func(b *testing.B) {
		c := tensor.Make[bool](1 << 20)
		benchOp(b, "Where", 16, c, x, y)
	})
}

// BenchmarkFloat32Kernels compares the float32 Erf/Tanh/Sigmoid kernels
// with the float64 math functions they replace, on the same data, one
// core: go test -run X -bench Float32Kernels -cpu 1 ./ops/std
func BenchmarkFloat32Kernels(b *testing.B) {
	rng := rand.New(rand.NewSource(1))
	src := tensor.Data[float32](ewRandF32(rng, -4, 4, 1<<14))
	dst := make([]float32, len(src))
	for _, c := range []struct {
		name string
		f    func(float32) float32
	}{
		{"erf32", erf32},
		{"math.Erf", func(v float32) float32 { return float32(math.Erf(float64(v))) }},
		{"tanh32", tanh32},
		{"math.Tanh", func(v float32) float32 { return float32(math.Tanh(float64(v))) }},
		{"sigmoid32", sigmoid32},
		{"sigmoid64", func(v float32) float32 { return float32(sigmoid64(float64(v))) }},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(4 * len(src)))
			for i := 0; i < b.N; i++ {
				for j, v := range src {
					dst[j] = c.f(v)
				}
			}
		})
	}
}

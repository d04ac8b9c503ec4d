package train

import (
	"math/rand/v2"
	"testing"

	"github.com/optnet-go/optnet/runtime/tensor"
)

// BenchmarkAdamUpdate updates the 784×256 weight of the MLP benchmark.
func BenchmarkAdamUpdate(b *testing.B) {
	for _, dt := range []tensor.DType{tensor.Float32, tensor.Float64} {
		b.Run(dt.String(), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 1))
			p := randTensor(rng, dt, 1, 256, 784)
			g := randTensor(rng, dt, 1, 256, 784)
			o := &Adam{}
			b.SetBytes(int64(p.Len() * dt.Size() * 4))
			for i := 0; i < b.N; i++ {
				if err := o.Update("w", p, g, 1e-3); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

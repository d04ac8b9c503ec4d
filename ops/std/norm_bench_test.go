package std

import (
	"context"
	"math/rand"
	"testing"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// Benchmarks of the normalisation family on large float32 tensors:
//
//	go test -run '^$' -bench 'Softmax|LayerNorm|BatchNorm' -benchtime 20x ./ops/std

func normBenchNode(b *testing.B, op string, version int, attrs []runtime.Attribute, in ...*tensor.Tensor) {
	reg := testRegistry()
	n := opNode(op, in, 1, attrs...)
	ctx := context.Background()
	elems := in[0].Len()
	b.SetBytes(int64(elems * 4))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, err := runtime.RunNode(ctx, reg, n, version, in, runtime.RunOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

func normRandF32(rng *rand.Rand, shape ...int) *tensor.Tensor {
	t := tensor.Make[float32](shape...)
	for i := range tensor.Data[float32](t) {
		tensor.Data[float32](t)[i] = rng.Float32()*4 - 2
	}
	return t
}

func BenchmarkSoftmaxRows(b *testing.B) {
	rng := rand.New(rand.NewSource(1))
	normBenchNode(b, "Softmax", 13, nil, normRandF32(rng, 1024, 1024))
}

func BenchmarkSoftmaxStrided(b *testing.B) {
	rng := rand.New(rand.NewSource(1))
	normBenchNode(b, "Softmax", 13, attrsOf(attrInt("axis", 1)), normRandF32(rng, 8, 64, 2048))
}

func BenchmarkLayerNorm(b *testing.B) {
	rng := rand.New(rand.NewSource(1))
	normBenchNode(b, "LayerNormalization", 17, nil, normRandF32(rng, 1024, 1024), normRandF32(rng, 1024), normRandF32(rng, 1024))
}

func BenchmarkBatchNormInference(b *testing.B) {
	rng := rand.New(rand.NewSource(1))
	c := 64
	normBenchNode(b, "BatchNormalization", 15, nil, normRandF32(rng, 16, c, 32, 32), normRandF32(rng, c), normRandF32(rng, c), normRandF32(rng, c), tensor.MustFromSlice([]int{c}, make([]float32, c)))
}

func BenchmarkBatchNormTraining(b *testing.B) {
	rng := rand.New(rand.NewSource(1))
	c := 64
	normBenchNode(b, "BatchNormalization", 15, attrsOf(attrInt("training_mode", 1)), normRandF32(rng, 16, c, 32, 32), normRandF32(rng, c), normRandF32(rng, c), normRandF32(rng, c), normRandF32(rng, c))
}

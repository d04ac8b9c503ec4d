package std

import (
	"math/rand"
	"testing"

	"github.com/optnet-go/optnet/runtime/tensor"
)

func benchReduce(b *testing.B, op string, shape []int, axes ...int64) {
	rng := rand.New(rand.NewSource(1))
	x := tensor.Make[float32](shape...)
	for i, d := 0, tensor.Data[float32](x); i < len(d); i++ {
		d[i] = rng.Float32()
	}
	attrs := attrsOf(attrInts("axes", axes...))
	b.SetBytes(int64(4 * x.Len()))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		runOp(b, op, 12, attrs, 1, x)
	}
}

func BenchmarkReduceSumRows(b *testing.B)   { benchReduce(b, "ReduceSum", []int{2048, 2048}, 1) }
func BenchmarkReduceSumCols(b *testing.B)   { benchReduce(b, "ReduceSum", []int{2048, 2048}, 0) }
func BenchmarkReduceSumAll(b *testing.B)    { benchReduce(b, "ReduceSum", []int{2048, 2048}, 0, 1) }
func BenchmarkReduceMaxMiddle(b *testing.B) { benchReduce(b, "ReduceMax", []int{64, 256, 256}, 1) }
func BenchmarkReduceMeanHW(b *testing.B)    { benchReduce(b, "ReduceMean", []int{8, 64, 64, 64}, 2, 3) }

package std

import (
	"fmt"
	"testing"

	"github.com/optnet-go/optnet/runtime/tensor"
)

// BenchmarkTranspose2D compares the tiled transpose with a plain strided
// gather of the same permutation:
//
//	GOMAXPROCS=1 go test -run X -bench Transpose2D -benchtime 5x -count 3 ./ops/std
func BenchmarkTranspose2D(b *testing.B) {
	for _, n := range []int{1000, 4096} {
		x := tensor.Make[float32](n, n)
		b.Run(fmt.Sprintf("n%d/tiled", n), func(b *testing.B) {
			b.SetBytes(int64(4 * n * n))
			for i := 0; i < b.N; i++ {
				shpTranspose(x, []int{1, 0})
			}
		})
		b.Run(fmt.Sprintf("n%d/gather", n), func(b *testing.B) {
			b.SetBytes(int64(4 * n * n))
			maps := [][]int{shpAffine(n, 0, 1, 1), shpAffine(n, 0, 1, n)}
			for i := 0; i < b.N; i++ {
				if _, err := shpGather(x, []int{n, n}, maps, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

package std

import (
	"math"

	"github.com/optnet-go/optnet/runtime"
)

// LeakyRelu: y = x for x >= 0, alpha*x for x < 0 (attribute alpha, default
// 0.01) elementwise (opset 1; 6 dropped consumed_inputs, 16 added
// bfloat16).

func init() {
	register(&runtime.Op{Type: "LeakyRelu", Since: 1, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1}, Build: buildLeakyRelu})
}

func buildLeakyRelu(b *runtime.BuildContext) (runtime.Kernel, error) {
	a32 := b.Float("alpha", 0.01)
	a64 := float64(a32)
	return &ewUnaryGradKernel{
		ewUnaryKernel: ewUnaryKernel{name: "LeakyRelu", fns: ewUnaryFns{
			// Branch-free: multiply by 1 or alpha, chosen by the sign bit
			// (random signs would defeat branch prediction).
			f32: func(dst, src []float32) {
				one := math.Float32bits(1)
				sel := one ^ math.Float32bits(a32)
				src = src[:len(dst)]
				for i, v := range src {
					neg := uint32(int32(math.Float32bits(v)) >> 31)
					dst[i] = v * math.Float32frombits(one^(sel&neg))
				}
			},
			f64: func(dst, src []float64) {
				one := math.Float64bits(1)
				sel := one ^ math.Float64bits(a64)
				src = src[:len(dst)]
				for i, v := range src {
					neg := uint64(int64(math.Float64bits(v)) >> 63)
					dst[i] = v * math.Float64frombits(one^(sel&neg))
				}
			},
			grain: ewGrainCheap,
		}},
		deriv: func(x, _ float64) float64 {
			if x < 0 {
				return a64
			}
			return 1
		},
	}, b.Err()
}

package std

import (
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// Shrink: y = x + bias for x < -lambd, x - bias for x > lambd, else 0
// (attributes lambd = 0.5, bias = 0 by default), elementwise on any
// numeric type (opset 9). Integer results are computed in float64 and
// truncated back to the input type (wrapping, e.g. -1 becomes 255 in
// uint8).

func init() {
	register(&runtime.Op{Type: "Shrink", Since: 9, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1}, Build: buildShrink})
}

func buildShrink(b *runtime.BuildContext) (runtime.Kernel, error) {
	lambd, bias := float64(b.Float("lambd", 0.5)), float64(b.Float("bias", 0))
	f := func(x float64) float64 {
		switch {
		case x < -lambd:
			return x + bias
		case x > lambd:
			return x - bias
		}
		return 0
	}
	fns := ewFloatFns(f, ewGrainCheap)
	fns.other = func(x *tensor.Tensor) (*tensor.Tensor, bool) {
		switch x.DType() {
		case tensor.Int8:
			return ewMapElem(x, shrinkInt[int8](f)), true
		case tensor.Int16:
			return ewMapElem(x, shrinkInt[int16](f)), true
		case tensor.Int32:
			return ewMapElem(x, shrinkInt[int32](f)), true
		case tensor.Int64:
			return ewMapElem(x, shrinkInt[int64](f)), true
		case tensor.Uint8:
			return ewMapElem(x, shrinkInt[uint8](f)), true
		case tensor.Uint16:
			return ewMapElem(x, shrinkInt[uint16](f)), true
		case tensor.Uint32:
			return ewMapElem(x, shrinkInt[uint32](f)), true
		case tensor.Uint64:
			return ewMapElem(x, shrinkInt[uint64](f)), true
		}
		return nil, false
	}
	return &ewUnaryGradKernel{
		ewUnaryKernel: ewUnaryKernel{name: "Shrink", fns: fns},
		// 1 outside [-lambd, lambd], where y is x shifted; 0 inside.
		deriv: func(x, _ float64) float64 {
			if x < -lambd || x > lambd {
				return 1
			}
			return 0
		},
	}, b.Err()
}

// shrinkInt computes Shrink of an integer in float64 and truncates the
// result toward zero, wrapping into T like Cast does.
func shrinkInt[T tensor.Number](f func(float64) float64) func(T) T {
	return func(v T) T {
		r := f(float64(v))
		if r >= 9.223372036854775807e18 && r < 1.8446744073709551615e19 {
			return T(uint64(r))
		}
		return T(ewTruncInt64(r))
	}
}

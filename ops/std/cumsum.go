package std

import (
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// CumSum: cumulative sums along an axis given as a scalar input; exclusive
// leaves each element's own value out (the first sum is 0), reverse sums
// from the end. Opset 11; opset 14 only added dtypes.

func init() {
	register(&runtime.Op{Type: "CumSum", Since: 11, Inputs: [2]int{2, 2}, Outputs: [2]int{1, 1}, Build: buildCumSum})
}

type cumSumKernel struct{ exclusive, reverse bool }

func buildCumSum(b *runtime.BuildContext) (runtime.Kernel, error) {
	return &cumSumKernel{exclusive: b.Int("exclusive", 0) != 0, reverse: b.Int("reverse", 0) != 0}, b.Err()
}

func (k *cumSumKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	x := in[0]
	av, err := shpInts(in[1], "CumSum axis")
	if err != nil {
		return nil, err
	}
	if len(av) != 1 {
		return nil, errShape("CumSum axis must be a scalar, has shape %v", in[1].Shape())
	}
	a, err := normAxis(av[0], max(x.Rank(), 1))
	if err != nil {
		return nil, err
	}
	shape := x.Shape()
	if len(shape) == 0 {
		shape = []int{1}
	}
	outer := tensor.NumElements(shape[:a])
	n := shape[a]
	inner := tensor.NumElements(shape[a+1:])
	switch x.DType() {
	case tensor.Float32:
		return out1(cumSumT[float32](x, outer, n, inner, k.exclusive, k.reverse), nil)
	case tensor.Float64:
		return out1(cumSumT[float64](x, outer, n, inner, k.exclusive, k.reverse), nil)
	case tensor.Int32:
		return out1(cumSumT[int32](x, outer, n, inner, k.exclusive, k.reverse), nil)
	case tensor.Int64:
		return out1(cumSumT[int64](x, outer, n, inner, k.exclusive, k.reverse), nil)
	case tensor.Uint32:
		return out1(cumSumT[uint32](x, outer, n, inner, k.exclusive, k.reverse), nil)
	case tensor.Uint64:
		return out1(cumSumT[uint64](x, outer, n, inner, k.exclusive, k.reverse), nil)
	case tensor.Float16, tensor.BFloat16:
		f, err := tensor.Convert(x, tensor.Float32)
		if err != nil {
			return nil, err
		}
		return out1(tensor.Convert(cumSumT[float32](f, outer, n, inner, k.exclusive, k.reverse), x.DType()))
	}
	return nil, errDType("CumSum does not support %v", x.DType())
}

func cumSumT[T tensor.Number](x *tensor.Tensor, outer, n, inner int, exclusive, reverse bool) *tensor.Tensor {
	out := tensor.Make[T](x.Shape()...)
	src, dst := tensor.Data[T](x), tensor.Data[T](out)
	acc := make([]T, inner)
	for o := 0; o < outer; o++ {
		clear(acc)
		for s := 0; s < n; s++ {
			i := s
			if reverse {
				i = n - 1 - s
			}
			off := (o*n + i) * inner
			for j := 0; j < inner; j++ {
				if exclusive {
					dst[off+j] = acc[j]
					acc[j] += src[off+j]
				} else {
					acc[j] += src[off+j]
					dst[off+j] = acc[j]
				}
			}
		}
	}
	return out
}

// InferShapes: like the input.
func (k *cumSumKernel) InferShapes(in []runtime.Fact) ([]runtime.Fact, error) {
	return sameAsInput(0)(in)
}

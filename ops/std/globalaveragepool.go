package std

import (
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// GlobalAveragePool: the mean over all spatial positions of each (N, C)
// plane; the output keeps the spatial dims as 1 (opset 1).

func init() {
	register(&runtime.Op{Type: "GlobalAveragePool", Since: 1, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1}, Build: fixed(globalAvgPoolKernel{})})
}

type globalAvgPoolKernel struct{}

func (globalAvgPoolKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	return poolGlobalRun("GlobalAveragePool", in[0], nnMeanOf[float32], nnMeanOf[float64])
}

func nnMeanOf[T tensor.Float](v []T) T {
	var s T
	for _, x := range v {
		s += x
	}
	if len(v) == 0 {
		return 0
	}
	return s / T(len(v))
}

// InferShapes: (N, C, 1, …, 1).
func (globalAvgPoolKernel) InferShapes(in []runtime.Fact) ([]runtime.Fact, error) {
	return poolGlobalFacts(in)
}

// Backward spreads each plane's gradient evenly over the plane.
func (globalAvgPoolKernel) Backward(rc *runtime.RunContext, f *runtime.Forward, g []*tensor.Tensor) ([]*tensor.Tensor, error) {
	x, gy := f.Inputs[0], g[0]
	if gy == nil || !f.NeedGrad[0] {
		return []*tensor.Tensor{nil}, nil
	}
	if err := nnFloatGrads(x, gy); err != nil {
		return nil, err
	}
	if x.DType() == tensor.Float32 {
		return out1(poolSpreadPlanes[float32](x.Shape(), gy))
	}
	return out1(poolSpreadPlanes[float64](x.Shape(), gy))
}

func poolSpreadPlanes[T tensor.Float](shape []int, gy *tensor.Tensor) (*tensor.Tensor, error) {
	gx := tensor.Make[T](shape...)
	gd, yd := tensor.Data[T](gx), tensor.Data[T](gy)
	if len(yd) == 0 || len(gd)%len(yd) != 0 {
		if len(gd) == 0 {
			return gx, nil
		}
		return nil, errShape("GlobalAveragePool gradient %v for input %v", gy.Shape(), shape)
	}
	sz := len(gd) / len(yd)
	for i, v := range yd {
		v /= T(sz)
		for j := range gd[i*sz : (i+1)*sz] {
			gd[i*sz+j] = v
		}
	}
	return gx, nil
}

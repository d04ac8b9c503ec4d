package std

import (
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// GlobalLpPool: the p-norm (Σ|x|^p)^(1/p) over all spatial positions of
// each (N, C) plane; the output keeps the spatial dims as 1. Opset 1 took p
// as a float, opset 2 as an int.

func init() {
	register(&runtime.Op{Type: "GlobalLpPool", Since: 1, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1}, Build: buildGlobalLpPool})
}

type globalLpPoolKernel struct{ p float64 }

func buildGlobalLpPool(b *runtime.BuildContext) (runtime.Kernel, error) {
	p, err := poolReadP(b)
	if err != nil {
		return nil, err
	}
	return &globalLpPoolKernel{p: p}, nil
}

func (k *globalLpPoolKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	return poolGlobalRun("GlobalLpPool", in[0], func(v []float32) float32 { return poolLpNorm(v, k.p) }, func(v []float64) float64 { return poolLpNorm(v, k.p) })
}

// InferShapes: (N, C, 1, …, 1).
func (k *globalLpPoolKernel) InferShapes(in []runtime.Fact) ([]runtime.Fact, error) {
	return poolGlobalFacts(in)
}

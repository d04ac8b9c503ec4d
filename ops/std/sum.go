package std

import (
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// Sum: elementwise sum of one or more tensors (opset 1; 6 dropped
// consumed_inputs; 8 added NumPy broadcasting, which is accepted at every
// version; 13 added bfloat16). Integer inputs are accepted too.

func init() {
	register(&runtime.Op{Type: "Sum", Since: 1, Inputs: [2]int{1, runtime.Variadic}, Outputs: [2]int{1, 1}, Build: fixed(sumKernel{})})
}

type sumKernel struct{}

func (sumKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if err := ewCheckOut(rc, in); err != nil {
		return nil, err
	}
	return out1(ewFold("Sum", in, addRows))
}

// InferShapes broadcasts the inputs.
func (sumKernel) InferShapes(in []runtime.Fact) ([]runtime.Fact, error) { return ewFoldFacts(in) }

// Backward: every input gets the upstream gradient, summed over the axes
// it was broadcast along.
func (sumKernel) Backward(rc *runtime.RunContext, f *runtime.Forward, g []*tensor.Tensor) ([]*tensor.Tensor, error) {
	return ewScaledGrads(f, g[0], 1)
}

// ewScaledGrads gives every input needing it scale*g summed to its shape.
func ewScaledGrads(f *runtime.Forward, gy *tensor.Tensor, scale float64) ([]*tensor.Tensor, error) {
	out := make([]*tensor.Tensor, len(f.Inputs))
	if gy == nil {
		return out, nil
	}
	if err := ewFloatGrad("Sum/Mean", gy); err != nil {
		return nil, err
	}
	for i, x := range f.Inputs {
		if !f.NeedGrad[i] || x == nil {
			continue
		}
		r, err := tensor.SumTo(gy, x.Shape())
		if err != nil {
			return nil, err
		}
		if scale != 1 {
			r = ewScale(r, scale)
		}
		out[i] = r
	}
	return out, nil
}

// ewScale returns s*t for a float32 or float64 tensor.
func ewScale(t *tensor.Tensor, s float64) *tensor.Tensor {
	switch t.DType() {
	case tensor.Float32:
		s32 := float32(s)
		return ewMap(t, ewGrainCheap, func(dst, src []float32) {
			src = src[:len(dst)]
			for i, v := range src {
				dst[i] = v * s32
			}
		})
	case tensor.Float64:
		return ewMap(t, ewGrainCheap, func(dst, src []float64) {
			src = src[:len(dst)]
			for i, v := range src {
				dst[i] = v * s
			}
		})
	}
	return t
}

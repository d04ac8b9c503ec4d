package std

import (
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// Mean: elementwise mean of one or more float tensors (opset 1; 6 dropped
// consumed_inputs; 8 added NumPy broadcasting, which is accepted at every
// version; 13 added bfloat16).

func init() {
	register(&runtime.Op{Type: "Mean", Since: 1, Inputs: [2]int{1, runtime.Variadic}, Outputs: [2]int{1, 1}, Build: fixed(meanKernel{})})
}

type meanKernel struct{}

func (meanKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if err := ewCheckOut(rc, in); err != nil {
		return nil, err
	}
	if in[0] == nil {
		return nil, errShape("Mean: input 0 is missing")
	}
	if !in[0].DType().IsFloat() {
		return nil, errDType("Mean does not support %v", in[0].DType())
	}
	if dt := in[0].DType(); dt == tensor.Float16 || dt == tensor.BFloat16 {
		// Sum and divide in float32, rounding once at the end.
		f := make([]*tensor.Tensor, len(in))
		for i, t := range in {
			if t == nil || t.DType() != dt {
				return nil, errDType("Mean inputs must all be %v", dt)
			}
			var err error
			if f[i], err = tensor.Convert(t, tensor.Float32); err != nil {
				return nil, err
			}
		}
		r, err := meanKernel{}.Run(rc, f)
		if err != nil {
			return nil, err
		}
		return out1(tensor.Convert(r[0], dt))
	}
	s, err := ewFold("Mean", in, addRows)
	if err != nil || len(in) == 1 {
		return out1(s, err)
	}
	n := len(in)
	switch s.DType() {
	case tensor.Float32:
		d, n32 := tensor.Data[float32](s), float32(n)
		ewParFor(len(d), ewGrainCheap, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				d[i] /= n32
			}
		})
	case tensor.Float64:
		d, n64 := tensor.Data[float64](s), float64(n)
		ewParFor(len(d), ewGrainCheap, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				d[i] /= n64
			}
		})
	}
	return out1(s, nil)
}

// InferShapes broadcasts the inputs.
func (meanKernel) InferShapes(in []runtime.Fact) ([]runtime.Fact, error) { return ewFoldFacts(in) }

// Backward: every input gets the upstream gradient divided by the number
// of inputs, summed over the axes it was broadcast along.
func (meanKernel) Backward(rc *runtime.RunContext, f *runtime.Forward, g []*tensor.Tensor) ([]*tensor.Tensor, error) {
	return ewScaledGrads(f, g[0], 1/float64(len(f.Inputs)))
}

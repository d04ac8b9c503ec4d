package std

import (
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// Expand: broadcasts the input to a shape given as an input, with NumPy
// rules in both directions (the output shape is the broadcast of the
// input's shape and the given one). Opset 8; opset 13 only added dtypes.

func init() {
	register(&runtime.Op{Type: "Expand", Since: 8, Inputs: [2]int{2, 2}, Outputs: [2]int{1, 1}, Build: fixed(expandKernel{})})
}

type expandKernel struct{}

func (expandKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	x := in[0]
	s, err := shpInts(in[1], "Expand shape")
	if err != nil {
		return nil, err
	}
	dims, err := shpDims(s, "Expand shape")
	if err != nil {
		return nil, err
	}
	shape, err := tensor.BroadcastShape(x.Shape(), dims)
	if err != nil {
		return nil, err
	}
	if err := rc.CheckSize(x.DType(), shape); err != nil {
		return nil, err
	}
	return out1(shpBroadcast(x, shape))
}

// shpBroadcast materialises x broadcast to shape (which it must
// broadcast to; the size is checked by the caller).
func shpBroadcast(x *tensor.Tensor, shape []int) (*tensor.Tensor, error) {
	if tensor.SameShape(x.Shape(), shape) {
		return x, nil
	}
	maps := make([][]int, len(shape))
	if tensor.NumElements(shape) > 0 {
		off := len(shape) - x.Rank()
		strides := tensor.Strides(x.Shape())
		for i, d := range shape {
			if i < off || x.Dim(i-off) == 1 {
				maps[i] = make([]int, d)
			} else {
				maps[i] = shpAffine(d, 0, 1, strides[i-off])
			}
		}
	}
	return shpGather(x, shape, maps, nil)
}

// InferShapes broadcasts the input's shape with a constant target shape.
func (expandKernel) InferShapes(in []runtime.Fact) ([]runtime.Fact, error) {
	if in[1].Value == nil {
		out := runtime.Fact{DType: in[0].DType}
		if in[1].HasShape && len(in[1].Shape) == 1 && in[1].Shape[0] >= 0 && in[0].HasShape {
			out.Shape, out.HasShape = make([]int, max(in[1].Shape[0], len(in[0].Shape))), true
			for i := range out.Shape {
				out.Shape[i] = -1
			}
		}
		return []runtime.Fact{out}, nil
	}
	s, err := shpInts(in[1].Value, "Expand shape")
	if err != nil {
		return nil, err
	}
	dims, err := shpDims(s, "Expand shape")
	if err != nil {
		return nil, err
	}
	if !in[0].HasShape {
		return []runtime.Fact{{DType: in[0].DType}}, nil
	}
	return broadcastFacts([]runtime.Fact{{Shape: in[0].Shape, HasShape: true}, {Shape: dims, HasShape: true}}, in[0].DType)
}

// Backward sums the gradient over the broadcast axes.
func (expandKernel) Backward(rc *runtime.RunContext, f *runtime.Forward, g []*tensor.Tensor) ([]*tensor.Tensor, error) {
	res := make([]*tensor.Tensor, 2)
	if f.NeedGrad[0] && g[0] != nil {
		r, err := tensor.SumTo(g[0], f.Inputs[0].Shape())
		if err != nil {
			return nil, err
		}
		res[0] = r
	}
	return res, nil
}

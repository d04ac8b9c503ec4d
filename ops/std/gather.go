package std

import (
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// Gather: picks entries of data along axis by an index tensor; the output
// shape is data.shape[:axis] + indices.shape + data.shape[axis+1:]. Opset
// 1; opset 11 allows negative indices (counting from the end); opset 13
// only added dtypes.

func init() {
	register(&runtime.Op{Type: "Gather", Since: 1, Inputs: [2]int{2, 2}, Outputs: [2]int{1, 1}, Build: buildGather})
}

type gatherKernel struct{ axis int64 }

func buildGather(b *runtime.BuildContext) (runtime.Kernel, error) {
	return &gatherKernel{axis: b.Int("axis", 0)}, b.Err()
}

// gatherShape returns the output shape and the normalised axis.
func gatherShape(data, ind []int, axis int64) ([]int, int, error) {
	a, err := normAxis(axis, len(data))
	if err != nil {
		return nil, 0, err
	}
	out := append(append(append([]int{}, data[:a]...), ind...), data[a+1:]...)
	return out, a, nil
}

func (k *gatherKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	x, ind := in[0], in[1]
	shape, a, err := gatherShape(x.Shape(), ind.Shape(), k.axis)
	if err != nil {
		return nil, err
	}
	d := x.Dim(a)
	idx, err := shpIndices(ind, d, "Gather index")
	if err != nil {
		return nil, err
	}
	outer := tensor.NumElements(x.Shape()[:a])
	inner := tensor.NumElements(x.Shape()[a+1:])
	flat := []int{outer, len(idx), inner}
	maps := make([][]int, 3)
	if tensor.NumElements(flat) > 0 {
		maps[0] = shpAffine(outer, 0, 1, d*inner)
		maps[1] = make([]int, len(idx))
		for i, j := range idx {
			maps[1][i] = j * inner
		}
		maps[2] = shpAffine(inner, 0, 1, 1)
	}
	out, err := shpGather(x, flat, maps, nil)
	if err != nil {
		return nil, err
	}
	return out1(out.Reshape(shape...))
}

// InferShapes combines the data and index shapes.
func (k *gatherKernel) InferShapes(in []runtime.Fact) ([]runtime.Fact, error) {
	out := runtime.Fact{DType: in[0].DType}
	if !in[0].HasShape || !in[1].HasShape {
		return []runtime.Fact{out}, nil
	}
	shape, _, err := gatherShape(in[0].Shape, in[1].Shape, k.axis)
	if err != nil {
		return nil, err
	}
	out.Shape, out.HasShape = shape, true
	return []runtime.Fact{out}, nil
}

// Backward adds each gathered gradient into the data position it came
// from (repeated indices accumulate).
func (k *gatherKernel) Backward(rc *runtime.RunContext, f *runtime.Forward, g []*tensor.Tensor) ([]*tensor.Tensor, error) {
	res := make([]*tensor.Tensor, 2)
	if !f.NeedGrad[0] || g[0] == nil {
		return res, nil
	}
	x, ind := f.Inputs[0], f.Inputs[1]
	a, err := normAxis(k.axis, x.Rank())
	if err != nil {
		return nil, err
	}
	d := x.Dim(a)
	idx, err := shpIndices(ind, d, "Gather index")
	if err != nil {
		return nil, err
	}
	outer := tensor.NumElements(x.Shape()[:a])
	inner := tensor.NumElements(x.Shape()[a+1:])
	g3, err := g[0].Reshape(outer, len(idx), inner)
	if err != nil {
		return nil, err
	}
	acc, err := shpAccumulate(g3, 1, d, idx)
	if err != nil {
		return nil, err
	}
	if res[0], err = acc.Reshape(x.Shape()...); err != nil {
		return nil, err
	}
	return res, nil
}

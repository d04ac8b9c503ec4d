package std

import (
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// Concat: joins tensors along an axis; all other dims must match. Opset 1
// (axis defaults to 1); opset 4 makes axis required; opset 11 allows a
// negative axis; opset 13 only added dtypes.

func init() {
	register(
		&runtime.Op{Type: "Concat", Since: 1, Inputs: [2]int{1, runtime.Variadic}, Outputs: [2]int{1, 1}, Build: buildConcat},
		&runtime.Op{Type: "Concat", Since: 4, Inputs: [2]int{1, runtime.Variadic}, Outputs: [2]int{1, 1}, Build: buildConcat},
	)
}

type concatKernel struct{ axis int64 }

func buildConcat(b *runtime.BuildContext) (runtime.Kernel, error) {
	if b.Version >= 4 {
		return &concatKernel{axis: b.RequireInt("axis")}, b.Err()
	}
	return &concatKernel{axis: b.Int("axis", 1)}, b.Err()
}

// concatShape checks the operands and returns the output shape and the
// normalised axis; dims of -1 (unknown) are accepted.
func concatShape(shapes [][]int, axis int64) ([]int, int, error) {
	rank := len(shapes[0])
	a, err := normAxis(axis, rank)
	if err != nil {
		return nil, 0, err
	}
	out := append([]int(nil), shapes[0]...)
	for _, s := range shapes[1:] {
		if len(s) != rank {
			return nil, 0, errShape("Concat of ranks %d and %d", rank, len(s))
		}
		for i, d := range s {
			switch {
			case i == a:
				if out[a] < 0 || d < 0 {
					out[a] = -1
				} else {
					out[a] += d
				}
			case out[i] < 0:
				out[i] = d
			case d >= 0 && d != out[i]:
				return nil, 0, errShape("Concat of shapes %v and %v along axis %d", shapes[0], s, a)
			}
		}
	}
	return out, a, nil
}

func (k *concatKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if err := sameDTypes(in); err != nil {
		return nil, err
	}
	shapes := make([][]int, len(in))
	for i, t := range in {
		if t == nil {
			return nil, errShape("Concat input %d is missing", i)
		}
		shapes[i] = t.Shape()
	}
	shape, a, err := concatShape(shapes, k.axis)
	if err != nil {
		return nil, err
	}
	return out1(shpConcat(in, shape, a))
}

// shpConcat joins ts (already checked) into a tensor of shape along a.
func shpConcat(ts []*tensor.Tensor, shape []int, a int) (*tensor.Tensor, error) {
	out, err := tensor.Zeros(ts[0].DType(), shape...)
	if err != nil {
		return nil, err
	}
	outer := 1
	for _, d := range shape[:a] {
		outer *= d
	}
	inner := 1
	for _, d := range shape[a+1:] {
		inner *= d
	}
	kt := shpMustKit(out)
	row := shape[a] * inner
	off := 0
	for _, t := range ts {
		n := t.Dim(a) * inner
		for o := 0; o < outer; o++ {
			kt.copyN(out.Raw(), o*row+off, t.Raw(), o*n, n)
		}
		off += n
	}
	return out, nil
}

// InferShapes sums the dims along the axis.
func (k *concatKernel) InferShapes(in []runtime.Fact) ([]runtime.Fact, error) {
	out := runtime.Fact{DType: in[0].DType}
	shapes := make([][]int, len(in))
	for i, f := range in {
		if !f.HasShape {
			return []runtime.Fact{out}, nil
		}
		shapes[i] = f.Shape
	}
	shape, _, err := concatShape(shapes, k.axis)
	if err != nil {
		return nil, err
	}
	out.Shape, out.HasShape = shape, true
	return []runtime.Fact{out}, nil
}

// Backward hands each input its slice of the gradient.
func (k *concatKernel) Backward(rc *runtime.RunContext, f *runtime.Forward, g []*tensor.Tensor) ([]*tensor.Tensor, error) {
	out := make([]*tensor.Tensor, len(f.Inputs))
	if g[0] == nil {
		return out, nil
	}
	a, err := normAxis(k.axis, g[0].Rank())
	if err != nil {
		return nil, err
	}
	start := 0
	for i, x := range f.Inputs {
		n := x.Dim(a)
		if f.NeedGrad[i] {
			out[i] = shpSliceAxis(g[0], a, start, n)
		}
		start += n
	}
	return out, nil
}

// shpSliceAxis returns x[..., start:start+n, ...] along axis a (a copy).
func shpSliceAxis(x *tensor.Tensor, a, start, n int) *tensor.Tensor {
	shape := append([]int(nil), x.Shape()...)
	shape[a] = n
	strides := tensor.Strides(x.Shape())
	maps := make([][]int, len(shape))
	for i, d := range shape {
		if i == a {
			maps[i] = shpAffine(d, start, 1, strides[i])
		} else {
			maps[i] = shpAffine(d, 0, 1, strides[i])
		}
	}
	r, err := shpGather(x, shape, maps, nil)
	if err != nil {
		panic(err) // a slice of an existing tensor is always valid
	}
	return r
}

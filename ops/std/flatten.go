package std

import (
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// Flatten: reshapes the input to 2-D, [d_0*...*d_(axis-1), d_axis*...*d_n]
// (a view). Opset 1 (axis in [0, rank]); opset 11 allows a negative axis;
// opsets 9 and 13 only added dtypes.

func init() {
	register(
		&runtime.Op{Type: "Flatten", Since: 1, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1}, Build: buildFlatten},
		&runtime.Op{Type: "Flatten", Since: 11, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1}, Build: buildFlatten},
	)
}

type flattenKernel struct {
	axis     int64
	negative bool // negative axes allowed
}

func buildFlatten(b *runtime.BuildContext) (runtime.Kernel, error) {
	return &flattenKernel{axis: b.Int("axis", 1), negative: b.Version >= 11}, b.Err()
}

func (k *flattenKernel) split(rank int) (int, error) {
	a := int(k.axis)
	if a < 0 && k.negative {
		a += rank
	}
	if a < 0 || a > rank {
		return 0, errShape("Flatten axis %d out of range for rank %d", k.axis, rank)
	}
	return a, nil
}

// flattenDims multiplies dims into the two halves; -1 if any is unknown.
func flattenDims(shape []int, a int) []int {
	prod := func(ds []int) int {
		p := 1
		for _, d := range ds {
			if d < 0 {
				return -1
			}
			p *= d
		}
		return p
	}
	return []int{prod(shape[:a]), prod(shape[a:])}
}

func (k *flattenKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	a, err := k.split(in[0].Rank())
	if err != nil {
		return nil, err
	}
	return out1(in[0].Reshape(flattenDims(in[0].Shape(), a)...))
}

// InferShapes multiplies the known dims on each side of the axis.
func (k *flattenKernel) InferShapes(in []runtime.Fact) ([]runtime.Fact, error) {
	out := runtime.Fact{DType: in[0].DType, Shape: []int{-1, -1}, HasShape: true}
	if in[0].HasShape {
		a, err := k.split(len(in[0].Shape))
		if err != nil {
			return nil, err
		}
		out.Shape = flattenDims(in[0].Shape, a)
	}
	return []runtime.Fact{out}, nil
}

// Backward reshapes the gradient back to the input's shape.
func (k *flattenKernel) Backward(rc *runtime.RunContext, f *runtime.Forward, g []*tensor.Tensor) ([]*tensor.Tensor, error) {
	return shpReshapeGrad(f, g)
}

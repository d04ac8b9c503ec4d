package std

import (
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// Compress: keeps the slices along axis (or, without axis, the elements
// of the flattened input) whose entry in the 1-D bool condition is true;
// a condition shorter than the axis drops the rest. Opset 9; opset 11
// allows a negative axis.

func init() {
	register(&runtime.Op{Type: "Compress", Since: 9, Inputs: [2]int{2, 2}, Outputs: [2]int{1, 1}, Build: buildCompress})
}

type compressKernel struct {
	axis    int64
	hasAxis bool
}

func buildCompress(b *runtime.BuildContext) (runtime.Kernel, error) {
	return &compressKernel{axis: b.Int("axis", 0), hasAxis: b.HasAttr("axis")}, b.Err()
}

func (k *compressKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	x, c := in[0], in[1]
	if c.DType() != tensor.Bool {
		return nil, errDType("Compress condition must be bool, got %v", c.DType())
	}
	if c.Rank() != 1 {
		return nil, errShape("Compress condition must be 1-D, has shape %v", c.Shape())
	}
	if !k.hasAxis {
		flat, err := x.Reshape(x.Len())
		if err != nil {
			return nil, err
		}
		x = flat
	}
	a, err := normAxis(k.axis, x.Rank())
	if err != nil {
		return nil, err
	}
	d := x.Dim(a)
	var keep []int
	for i, v := range tensor.Data[bool](c) {
		if !v {
			continue
		}
		if i >= d {
			return nil, errShape("Compress condition selects index %d of an axis of size %d", i, d)
		}
		keep = append(keep, i)
	}
	shape := append([]int(nil), x.Shape()...)
	shape[a] = len(keep)
	maps := make([][]int, len(shape))
	if tensor.NumElements(shape) > 0 {
		strides := tensor.Strides(x.Shape())
		for i, n := range shape {
			if i == a {
				m := make([]int, len(keep))
				for j, p := range keep {
					m[j] = p * strides[i]
				}
				maps[i] = m
			} else {
				maps[i] = shpAffine(n, 0, 1, strides[i])
			}
		}
	}
	return out1(shpGather(x, shape, maps, nil))
}

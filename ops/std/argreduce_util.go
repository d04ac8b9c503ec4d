package std

import (
	"github.com/optnet-go/optnet/internal/parallel"
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// Shared machinery of ArgMax and ArgMin: the index of the extreme element
// along one axis, as int64.

// argKernel is the kernel of ArgMax/ArgMin.
type argKernel struct {
	name     string
	max      bool
	axis     int64
	keepdims bool
	last     bool // select_last_index
}

func buildArg(name string, isMax bool) func(*runtime.BuildContext) (runtime.Kernel, error) {
	return func(b *runtime.BuildContext) (runtime.Kernel, error) {
		k := &argKernel{name: name, max: isMax,
			axis:     b.Int("axis", 0),
			keepdims: b.Int("keepdims", 1) != 0,
			last:     b.Int("select_last_index", 0) != 0}
		return k, b.Err()
	}
}

func (k *argKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	x := in[0]
	shape := x.Shape()
	ax, err := normAxis(k.axis, len(shape))
	if err != nil {
		return nil, err
	}
	if shape[ax] == 0 {
		return nil, errShape("%s along axis %d of size 0", k.name, k.axis)
	}
	O, R, I := 1, shape[ax], 1
	for _, d := range shape[:ax] {
		O *= d
	}
	for _, d := range shape[ax+1:] {
		I *= d
	}
	var out []int64
	switch x.DType() {
	case tensor.Float32:
		out = argIndices(tensor.Data[float32](x), O, R, I, k.max, k.last)
	case tensor.Float64:
		out = argIndices(tensor.Data[float64](x), O, R, I, k.max, k.last)
	case tensor.Float16, tensor.BFloat16:
		x32, err := tensor.Convert(x, tensor.Float32)
		if err != nil {
			return nil, err
		}
		out = argIndices(tensor.Data[float32](x32), O, R, I, k.max, k.last)
	case tensor.Int8:
		out = argIndices(tensor.Data[int8](x), O, R, I, k.max, k.last)
	case tensor.Int16:
		out = argIndices(tensor.Data[int16](x), O, R, I, k.max, k.last)
	case tensor.Int32:
		out = argIndices(tensor.Data[int32](x), O, R, I, k.max, k.last)
	case tensor.Int64:
		out = argIndices(tensor.Data[int64](x), O, R, I, k.max, k.last)
	case tensor.Uint8:
		out = argIndices(tensor.Data[uint8](x), O, R, I, k.max, k.last)
	case tensor.Uint16:
		out = argIndices(tensor.Data[uint16](x), O, R, I, k.max, k.last)
	case tensor.Uint32:
		out = argIndices(tensor.Data[uint32](x), O, R, I, k.max, k.last)
	case tensor.Uint64:
		out = argIndices(tensor.Data[uint64](x), O, R, I, k.max, k.last)
	default:
		return nil, errDType("%s does not support %v", k.name, x.DType())
	}
	return out1(tensor.FromSlice(argShape(shape, ax, k.keepdims), out))
}

func argShape(shape []int, ax int, keepdims bool) []int {
	out := make([]int, 0, len(shape))
	for i, d := range shape {
		switch {
		case i != ax:
			out = append(out, d)
		case keepdims:
			out = append(out, 1)
		}
	}
	return out
}

// InferShapes: int64, the input shape without (or with 1 at) the axis.
func (k *argKernel) InferShapes(in []runtime.Fact) ([]runtime.Fact, error) {
	f := runtime.Fact{DType: tensor.Int64}
	if in[0].HasShape {
		ax, err := normAxis(k.axis, len(in[0].Shape))
		if err != nil {
			return nil, err
		}
		f.Shape, f.HasShape = argShape(in[0].Shape, ax, k.keepdims), true
	}
	return []runtime.Fact{f}, nil
}

// argIndices returns, for each (o, i), the index r of the extreme value of
// src[(o*R+r)*I+i]. NaN counts as more extreme than any number (as in
// NumPy); ties go to the first index, or the last when last is set.
func argIndices[T tensor.Number](src []T, O, R, I int, isMax, last bool) []int64 {
	out := make([]int64, O*I)
	better := func(v, b T) bool {
		if redIsNaN(b) {
			return last && redIsNaN(v)
		}
		if redIsNaN(v) {
			return true
		}
		if last {
			if isMax {
				return v >= b
			}
			return v <= b
		}
		if isMax {
			return v > b
		}
		return v < b
	}
	parallel.For(O, max(1, reduceGrain/max(1, R*I)), func(lo, hi int) {
		best := make([]T, I)
		for o := lo; o < hi; o++ {
			base := o * R * I
			copy(best, src[base:base+I])
			idx := out[o*I : (o+1)*I]
			for r := 1; r < R; r++ {
				row := src[base+r*I : base+(r+1)*I]
				for i, v := range row {
					if better(v, best[i]) {
						best[i] = v
						idx[i] = int64(r)
					}
				}
			}
		}
	})
	return out
}

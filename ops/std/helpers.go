package std

import (
	"fmt"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// Helpers shared by op files. Keep them small and general; an op's own
// logic belongs in its file.

// errShape returns an error wrapping tensor.ErrShape.
func errShape(format string, args ...any) error {
	return fmt.Errorf("%w: %s", tensor.ErrShape, fmt.Sprintf(format, args...))
}

// errDType returns an error wrapping tensor.ErrDType.
func errDType(format string, args ...any) error {
	return fmt.Errorf("%w: %s", tensor.ErrDType, fmt.Sprintf(format, args...))
}

// normAxis maps a possibly negative axis into [0, rank).
func normAxis(axis int64, rank int) (int, error) {
	a := int(axis)
	if a < 0 {
		a += rank
	}
	if a < 0 || a >= rank {
		return 0, errShape("axis %d out of range for rank %d", axis, rank)
	}
	return a, nil
}

// sameDTypes checks that every present input has the dtype of the first.
func sameDTypes(in []*tensor.Tensor) error {
	var dt tensor.DType
	for _, t := range in {
		if t == nil {
			continue
		}
		if dt == tensor.Undefined {
			dt = t.DType()
		} else if t.DType() != dt {
			return errDType("inputs have different dtypes %v and %v", dt, t.DType())
		}
	}
	return nil
}

// map1 applies f to every element of a (a new tensor of the same shape).
func map1[T, R tensor.Elem](a *tensor.Tensor, f func(T) R) *tensor.Tensor {
	src := tensor.Data[T](a)
	out := tensor.Make[R](a.Shape()...)
	dst := tensor.Data[R](out)
	for i, v := range src {
		dst[i] = f(v)
	}
	return out
}

// map2 applies f elementwise over the broadcast of a and b.
func map2[T, R tensor.Elem](a, b *tensor.Tensor, f func(x, y T) R) (*tensor.Tensor, error) {
	shape, err := tensor.BroadcastShape(a.Shape(), b.Shape())
	if err != nil {
		return nil, err
	}
	out := tensor.Make[R](shape...)
	err = tensor.Map2(tensor.Data[R](out), shape, tensor.Data[T](a), a.Shape(), tensor.Data[T](b), b.Shape(), f)
	return out, err
}

// out1 wraps a single result.
func out1(t *tensor.Tensor, err error) ([]*tensor.Tensor, error) {
	if err != nil {
		return nil, err
	}
	return []*tensor.Tensor{t}, nil
}

// sameAsInput is shape inference for ops whose output looks like input i.
func sameAsInput(i int) func(in []runtime.Fact) ([]runtime.Fact, error) {
	return func(in []runtime.Fact) ([]runtime.Fact, error) {
		f := in[i]
		f.Value = nil
		return []runtime.Fact{f}, nil
	}
}

// broadcastFacts infers the output fact of an elementwise op over inputs,
// with the given output dtype (Undefined: the first input's).
func broadcastFacts(in []runtime.Fact, dt tensor.DType) ([]runtime.Fact, error) {
	out := runtime.Fact{DType: dt}
	if dt == tensor.Undefined && len(in) > 0 {
		out.DType = in[0].DType
	}
	rank := 0
	for _, f := range in {
		if f.Absent {
			continue
		}
		if !f.HasShape {
			return []runtime.Fact{out}, nil
		}
		rank = max(rank, len(f.Shape))
	}
	shape := make([]int, rank)
	for i := range shape {
		shape[i] = 1
	}
	for _, f := range in {
		if f.Absent {
			continue
		}
		off := rank - len(f.Shape)
		for i, d := range f.Shape {
			o := shape[off+i]
			switch {
			case d == 1:
			case d < 0:
				if o == 1 {
					shape[off+i] = -1
				}
			case o == 1 || o < 0:
				shape[off+i] = d
			case o != d:
				return nil, errShape("cannot broadcast %v and %v", o, d)
			}
		}
	}
	out.Shape, out.HasShape = shape, true
	return []runtime.Fact{out}, nil
}

// fixed returns a Build function for ops without attributes.
func fixed(k runtime.Kernel) func(*runtime.BuildContext) (runtime.Kernel, error) {
	return func(*runtime.BuildContext) (runtime.Kernel, error) { return k, nil }
}

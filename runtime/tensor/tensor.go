// Package tensor holds the runtime's n-dimensional arrays: a dtype, a shape
// and contiguous row-major storage, plus NumPy-style broadcasting done by
// index arithmetic.
//
// Tensors are treated as immutable once they are handed to the runtime: ops
// read their inputs and allocate new outputs, so one tensor may be shared by
// many concurrent runs (initializers are) and by several views (Reshape).
package tensor

import (
	"errors"
	"fmt"
	"math"
	"strings"
)

// Elem is the set of Go element types a Tensor stores.
type Elem interface {
	float32 | float64 | F16 | BF16 |
		int8 | int16 | int32 | int64 |
		uint8 | uint16 | uint32 | uint64 |
		bool | string
}

// Number is the subset of Elem that arithmetic kernels use directly.
type Number interface {
	float32 | float64 |
		int8 | int16 | int32 | int64 |
		uint8 | uint16 | uint32 | uint64
}

// Float is the set of native floating-point element types.
type Float interface{ float32 | float64 }

// ErrShape is wrapped by errors about shapes that do not fit together.
var ErrShape = errors.New("shape mismatch")

// ErrDType is wrapped by errors about unsupported or mismatched dtypes.
var ErrDType = errors.New("dtype mismatch")

// Tensor is an n-dimensional array with contiguous row-major storage.
type Tensor struct {
	dtype DType
	shape []int
	data  any // one of the slice types of Elem, of length NumElements(shape)
}

// DTypeOf returns the dtype that stores Go values of type T.
func DTypeOf[T Elem]() DType {
	var z T
	switch any(z).(type) {
	case float32:
		return Float32
	case float64:
		return Float64
	case F16:
		return Float16
	case BF16:
		return BFloat16
	case int8:
		return Int8
	case int16:
		return Int16
	case int32:
		return Int32
	case int64:
		return Int64
	case uint8:
		return Uint8
	case uint16:
		return Uint16
	case uint32:
		return Uint32
	case uint64:
		return Uint64
	case bool:
		return Bool
	case string:
		return String
	}
	return Undefined
}

// NumElements returns the product of dims, or -1 if a dim is negative or the
// product overflows an int.
func NumElements(shape []int) int {
	n := 1
	for _, d := range shape {
		if d < 0 {
			return -1
		}
		if d == 0 {
			return checkRest(shape)
		}
		if n > math.MaxInt/d {
			return -1
		}
		n *= d
	}
	return n
}

// checkRest returns 0 for a shape with a zero dim and no negative dim.
func checkRest(shape []int) int {
	for _, d := range shape {
		if d < 0 {
			return -1
		}
	}
	return 0
}

// FromSlice wraps data (not copied) as a tensor of the given shape.
func FromSlice[T Elem](shape []int, data []T) (*Tensor, error) {
	n := NumElements(shape)
	if n < 0 {
		return nil, fmt.Errorf("tensor: invalid shape %v: %w", shape, ErrShape)
	}
	if n != len(data) {
		return nil, fmt.Errorf("tensor: shape %v needs %d elements, got %d: %w", shape, n, len(data), ErrShape)
	}
	return &Tensor{dtype: DTypeOf[T](), shape: cloneInts(shape), data: data}, nil
}

// MustFromSlice is FromSlice for literals in tests and examples; it panics on
// a size mismatch.
func MustFromSlice[T Elem](shape []int, data []T) *Tensor {
	t, err := FromSlice(shape, data)
	if err != nil {
		panic(err)
	}
	return t
}

// Scalar returns a rank-0 tensor holding v.
func Scalar[T Elem](v T) *Tensor {
	return &Tensor{dtype: DTypeOf[T](), shape: []int{}, data: []T{v}}
}

// Make returns a zero-filled tensor with element type T. The shape must be
// valid (non-negative dims); callers validate user-supplied shapes first.
func Make[T Elem](shape ...int) *Tensor {
	n := NumElements(shape)
	if n < 0 {
		panic(fmt.Sprintf("tensor.Make: invalid shape %v", shape))
	}
	return &Tensor{dtype: DTypeOf[T](), shape: cloneInts(shape), data: make([]T, n)}
}

// Zeros returns a zero-filled tensor of the given dtype and shape.
func Zeros(dt DType, shape ...int) (*Tensor, error) {
	n := NumElements(shape)
	if n < 0 {
		return nil, fmt.Errorf("tensor: invalid shape %v: %w", shape, ErrShape)
	}
	data, err := makeSlice(dt, n)
	if err != nil {
		return nil, err
	}
	return &Tensor{dtype: dt, shape: cloneInts(shape), data: data}, nil
}

// FromAny wraps a slice whose element type is one of Elem.
func FromAny(shape []int, data any) (*Tensor, error) {
	switch d := data.(type) {
	case []float32:
		return FromSlice(shape, d)
	case []float64:
		return FromSlice(shape, d)
	case []F16:
		return FromSlice(shape, d)
	case []BF16:
		return FromSlice(shape, d)
	case []int8:
		return FromSlice(shape, d)
	case []int16:
		return FromSlice(shape, d)
	case []int32:
		return FromSlice(shape, d)
	case []int64:
		return FromSlice(shape, d)
	case []uint8:
		return FromSlice(shape, d)
	case []uint16:
		return FromSlice(shape, d)
	case []uint32:
		return FromSlice(shape, d)
	case []uint64:
		return FromSlice(shape, d)
	case []bool:
		return FromSlice(shape, d)
	case []string:
		return FromSlice(shape, d)
	}
	return nil, fmt.Errorf("tensor: unsupported data type %T: %w", data, ErrDType)
}

func makeSlice(dt DType, n int) (any, error) {
	switch dt {
	case Float32:
		return make([]float32, n), nil
	case Float64:
		return make([]float64, n), nil
	case Float16:
		return make([]F16, n), nil
	case BFloat16:
		return make([]BF16, n), nil
	case Int8:
		return make([]int8, n), nil
	case Int16:
		return make([]int16, n), nil
	case Int32:
		return make([]int32, n), nil
	case Int64:
		return make([]int64, n), nil
	case Uint8:
		return make([]uint8, n), nil
	case Uint16:
		return make([]uint16, n), nil
	case Uint32:
		return make([]uint32, n), nil
	case Uint64:
		return make([]uint64, n), nil
	case Bool:
		return make([]bool, n), nil
	case String:
		return make([]string, n), nil
	}
	return nil, fmt.Errorf("tensor: cannot allocate dtype %v: %w", dt, ErrDType)
}

// Data returns the tensor's storage as []T. It panics if T does not match
// the tensor's dtype; check DType first when the type is not known.
func Data[T Elem](t *Tensor) []T {
	d, ok := t.data.([]T)
	if !ok {
		panic(fmt.Sprintf("tensor.Data: tensor holds %v, not %T", t.dtype, d))
	}
	return d
}

// DType returns the element type.
func (t *Tensor) DType() DType { return t.dtype }

// Shape returns the dims. The slice is the tensor's own: do not modify it.
func (t *Tensor) Shape() []int { return t.shape }

// Rank returns the number of dims.
func (t *Tensor) Rank() int { return len(t.shape) }

// Dim returns dim i; negative i counts from the end.
func (t *Tensor) Dim(i int) int {
	if i < 0 {
		i += len(t.shape)
	}
	return t.shape[i]
}

// Len returns the number of elements.
func (t *Tensor) Len() int { return lenOf(t.data) }

// Raw returns the storage slice as an interface value (one of the Elem
// slice types).
func (t *Tensor) Raw() any { return t.data }

// Reshape returns a tensor sharing t's storage with a new shape of the same
// number of elements.
func (t *Tensor) Reshape(shape ...int) (*Tensor, error) {
	n := NumElements(shape)
	if n != t.Len() {
		return nil, fmt.Errorf("tensor: cannot reshape %v to %v: %w", t.shape, shape, ErrShape)
	}
	return &Tensor{dtype: t.dtype, shape: cloneInts(shape), data: t.data}, nil
}

// Clone returns a deep copy of t.
func (t *Tensor) Clone() *Tensor {
	c := &Tensor{dtype: t.dtype, shape: cloneInts(t.shape)}
	c.data = cloneData(t.data)
	return c
}

func cloneData(data any) any {
	switch d := data.(type) {
	case []float32:
		return append([]float32(nil), d...)
	case []float64:
		return append([]float64(nil), d...)
	case []F16:
		return append([]F16(nil), d...)
	case []BF16:
		return append([]BF16(nil), d...)
	case []int8:
		return append([]int8(nil), d...)
	case []int16:
		return append([]int16(nil), d...)
	case []int32:
		return append([]int32(nil), d...)
	case []int64:
		return append([]int64(nil), d...)
	case []uint8:
		return append([]uint8(nil), d...)
	case []uint16:
		return append([]uint16(nil), d...)
	case []uint32:
		return append([]uint32(nil), d...)
	case []uint64:
		return append([]uint64(nil), d...)
	case []bool:
		return append([]bool(nil), d...)
	case []string:
		return append([]string(nil), d...)
	}
	panic(fmt.Sprintf("tensor: unexpected storage %T", data))
}

func lenOf(data any) int {
	switch d := data.(type) {
	case []float32:
		return len(d)
	case []float64:
		return len(d)
	case []F16:
		return len(d)
	case []BF16:
		return len(d)
	case []int8:
		return len(d)
	case []int16:
		return len(d)
	case []int32:
		return len(d)
	case []int64:
		return len(d)
	case []uint8:
		return len(d)
	case []uint16:
		return len(d)
	case []uint32:
		return len(d)
	case []uint64:
		return len(d)
	case []bool:
		return len(d)
	case []string:
		return len(d)
	}
	return 0
}

// String describes the tensor briefly, e.g. "float32[2 3]".
func (t *Tensor) String() string {
	if t == nil {
		return "<nil>"
	}
	return fmt.Sprintf("%v%v", t.dtype, t.shape)
}

// ShapeString formats a shape as "(2, 3)"; a scalar is "()".
func ShapeString(shape []int) string {
	parts := make([]string, len(shape))
	for i, d := range shape {
		parts[i] = fmt.Sprint(d)
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// SameShape reports whether a and b have identical dims.
func SameShape(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func cloneInts(s []int) []int {
	c := make([]int, len(s))
	copy(c, s)
	return c
}

// Strides returns the row-major element strides of shape.
func Strides(shape []int) []int {
	st := make([]int, len(shape))
	s := 1
	for i := len(shape) - 1; i >= 0; i-- {
		st[i] = s
		s *= shape[i]
	}
	return st
}

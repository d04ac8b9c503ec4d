package std

import (
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// Shared machinery of the elementwise binary arithmetic ops (Add, Sub,
// Mul, Div, ...): dtype dispatch, broadcasting, the legacy (opset < 7)
// broadcast attributes, shape inference. Each op's file supplies its row
// kernels and its backward rule.

// rowFn computes one broadcast row: dst[i] = a[i*sa] op b[i*sb] (sa, sb are
// 0 or 1).
type rowFn[T any] func(dst, a []T, sa int, b []T, sb int)

// numericRows holds one op's row kernel for every numeric dtype; a nil
// entry means the dtype is not supported.
type numericRows struct {
	f32 rowFn[float32]
	f64 rowFn[float64]
	i8  rowFn[int8]
	i16 rowFn[int16]
	i32 rowFn[int32]
	i64 rowFn[int64]
	u8  rowFn[uint8]
	u16 rowFn[uint16]
	u32 rowFn[uint32]
	u64 rowFn[uint64]
}

// arithKernel is the kernel of one binary arithmetic node.
type arithKernel struct {
	name string
	rows *numericRows
	// legacyAxis >= 0 when an opset < 7 node asks for the old broadcast:
	// b's dims align with a's starting at this axis.
	legacyAxis int
	legacy     bool
	// check validates integer operands (Div by zero) before computing.
	check func(b *tensor.Tensor) error
}

// buildArith returns a Build function for a binary arithmetic op.
func buildArith(name string, rows *numericRows, check func(*tensor.Tensor) error) func(*runtime.BuildContext) (runtime.Kernel, error) {
	return func(b *runtime.BuildContext) (runtime.Kernel, error) {
		k := &arithKernel{name: name, rows: rows, check: check, legacyAxis: -1}
		if b.Version < 7 && b.Int("broadcast", 0) == 1 {
			k.legacy = true
			k.legacyAxis = int(b.Int("axis", -1))
		}
		return k, b.Err()
	}
}

// Run checks the output size, then computes the broadcast rows, split
// across cores for large outputs.
func (k *arithKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if err := ewCheckOut(rc, in); err != nil {
		return nil, err
	}
	a, b := in[0], in[1]
	if a.DType() != b.DType() {
		return nil, errDType("%s of %v and %v", k.name, a.DType(), b.DType())
	}
	if k.legacy {
		var err error
		if b, err = legacyBroadcast(a, b, k.legacyAxis); err != nil {
			return nil, err
		}
	}
	if k.check != nil && a.DType().IsInt() {
		if err := k.check(b); err != nil {
			return nil, err
		}
	}
	r := k.rows
	switch a.DType() {
	case tensor.Float32:
		return out1(applyRows(a, b, r.f32))
	case tensor.Float64:
		return out1(applyRows(a, b, r.f64))
	case tensor.Float16, tensor.BFloat16:
		return viaFloat32(a, b, func(x, y *tensor.Tensor) (*tensor.Tensor, error) { return applyRows(x, y, r.f32) })
	case tensor.Int8:
		return out1(applyRows(a, b, r.i8))
	case tensor.Int16:
		return out1(applyRows(a, b, r.i16))
	case tensor.Int32:
		return out1(applyRows(a, b, r.i32))
	case tensor.Int64:
		return out1(applyRows(a, b, r.i64))
	case tensor.Uint8:
		return out1(applyRows(a, b, r.u8))
	case tensor.Uint16:
		return out1(applyRows(a, b, r.u16))
	case tensor.Uint32:
		return out1(applyRows(a, b, r.u32))
	case tensor.Uint64:
		return out1(applyRows(a, b, r.u64))
	}
	return nil, errDType("%s does not support %v", k.name, a.DType())
}

// InferShapes broadcasts the input facts.
func (k *arithKernel) InferShapes(in []runtime.Fact) ([]runtime.Fact, error) {
	if k.legacy {
		return []runtime.Fact{{DType: in[0].DType}}, nil
	}
	return broadcastFacts(in, tensor.Undefined)
}

// applyRows runs a row kernel over the broadcast of a and b, splitting
// large outputs across cores.
func applyRows[T tensor.Elem](a, b *tensor.Tensor, row rowFn[T]) (*tensor.Tensor, error) {
	if row == nil {
		return nil, errDType("unsupported dtype %v", a.DType())
	}
	shape, err := tensor.BroadcastShape(a.Shape(), b.Shape())
	if err != nil {
		return nil, err
	}
	out := tensor.Make[T](shape...)
	err = ewBinaryPar(tensor.Data[T](out), shape, tensor.Data[T](a), a.Shape(), tensor.Data[T](b), b.Shape(), ewGrainCheap, row)
	return out, err
}

// viaFloat32 computes a 16-bit float op in float32 and converts back.
func viaFloat32(a, b *tensor.Tensor, f func(x, y *tensor.Tensor) (*tensor.Tensor, error)) ([]*tensor.Tensor, error) {
	x, err := tensor.Convert(a, tensor.Float32)
	if err != nil {
		return nil, err
	}
	y, err := tensor.Convert(b, tensor.Float32)
	if err != nil {
		return nil, err
	}
	r, err := f(x, y)
	if err != nil {
		return nil, err
	}
	return out1(tensor.Convert(r, a.DType()))
}

// legacyBroadcast reshapes b so NumPy broadcasting reproduces the opset < 7
// rule: b's dims match a's starting at axis (default: trailing).
func legacyBroadcast(a, b *tensor.Tensor, axis int) (*tensor.Tensor, error) {
	ra, rb := a.Rank(), b.Rank()
	if axis < 0 {
		axis = ra - rb
	}
	if axis < 0 || axis+rb > ra {
		return nil, errShape("legacy broadcast of %v into %v at axis %d", b.Shape(), a.Shape(), axis)
	}
	shape := append([]int(nil), b.Shape()...)
	for i := axis + rb; i < ra; i++ {
		shape = append(shape, 1)
	}
	return b.Reshape(shape...)
}

// The row kernels below are generic over element type; each op file
// instantiates its own for every dtype it supports.

// rowsFor builds numericRows from one generic row kernel per type.
func rowsFor(
	f32 rowFn[float32], f64 rowFn[float64],
	i8 rowFn[int8], i16 rowFn[int16], i32 rowFn[int32], i64 rowFn[int64],
	u8 rowFn[uint8], u16 rowFn[uint16], u32 rowFn[uint32], u64 rowFn[uint64],
) *numericRows {
	return &numericRows{f32, f64, i8, i16, i32, i64, u8, u16, u32, u64}
}

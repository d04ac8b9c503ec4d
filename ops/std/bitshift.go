package std

import (
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// BitShift: x << s or x >> s (attribute direction "LEFT" or "RIGHT") on
// unsigned integers with NumPy broadcasting (opset 11). Shifting by the
// type's width or more gives 0.

func init() {
	register(&runtime.Op{Type: "BitShift", Since: 11, Inputs: [2]int{2, 2}, Outputs: [2]int{1, 1}, Build: buildBitShift})
}

func buildBitShift(b *runtime.BuildContext) (runtime.Kernel, error) {
	if !b.HasAttr("direction") {
		return nil, b.Errorf("BitShift: required attribute \"direction\" is missing")
	}
	switch d := b.String("direction", ""); d {
	case "LEFT":
		return &bitShiftKernel{left: true}, b.Err()
	case "RIGHT":
		return &bitShiftKernel{}, b.Err()
	default:
		if err := b.Err(); err != nil {
			return nil, err
		}
		return nil, b.Errorf("BitShift: direction must be LEFT or RIGHT, got %q", d)
	}
}

type bitShiftKernel struct{ left bool }

func (k *bitShiftKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if err := ewCheckOut(rc, in); err != nil {
		return nil, err
	}
	x, s := in[0], in[1]
	if x.DType() != s.DType() {
		return nil, errDType("BitShift of %v by %v", x.DType(), s.DType())
	}
	switch x.DType() {
	case tensor.Uint8:
		return out1(map2(x, s, shiftFn[uint8](k.left)))
	case tensor.Uint16:
		return out1(map2(x, s, shiftFn[uint16](k.left)))
	case tensor.Uint32:
		return out1(map2(x, s, shiftFn[uint32](k.left)))
	case tensor.Uint64:
		return out1(map2(x, s, shiftFn[uint64](k.left)))
	}
	return nil, errDType("BitShift does not support %v", x.DType())
}

func shiftFn[T uint8 | uint16 | uint32 | uint64](left bool) func(x, s T) T {
	if left {
		return func(x, s T) T { return x << s }
	}
	return func(x, s T) T { return x >> s }
}

// InferShapes broadcasts the input facts.
func (k *bitShiftKernel) InferShapes(in []runtime.Fact) ([]runtime.Fact, error) {
	return broadcastFacts(in, tensor.Undefined)
}

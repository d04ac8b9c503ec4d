package std

import (
	"math"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// Mod: elementwise remainder of a / b with NumPy broadcasting (opset 10;
// 13 added bfloat16). With fmod = 0 (the default, integers only) the
// remainder takes the divisor's sign, like Python's %; with fmod = 1 it
// takes the dividend's sign, like C's fmod. Float inputs require fmod = 1.
// A zero integer divisor is an error.

func init() {
	register(&runtime.Op{Type: "Mod", Since: 10, Inputs: [2]int{2, 2}, Outputs: [2]int{1, 1}, Build: buildMod})
}

func buildMod(b *runtime.BuildContext) (runtime.Kernel, error) {
	fm := b.Int("fmod", 0)
	if fm != 0 && fm != 1 {
		return nil, b.Errorf("Mod: fmod must be 0 or 1, got %d", fm)
	}
	return &modKernel{fmod: fm == 1}, b.Err()
}

type modKernel struct{ fmod bool }

func (k *modKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if err := ewCheckOut(rc, in); err != nil {
		return nil, err
	}
	a, b := in[0], in[1]
	if a.DType() != b.DType() {
		return nil, errDType("Mod of %v and %v", a.DType(), b.DType())
	}
	dt := a.DType()
	if dt.IsFloat() {
		if !k.fmod {
			return nil, errDType("Mod of %v needs fmod=1", dt)
		}
		switch dt {
		case tensor.Float32:
			return out1(map2(a, b, func(x, y float32) float32 { return float32(math.Mod(float64(x), float64(y))) }))
		case tensor.Float64:
			return out1(map2(a, b, math.Mod))
		}
		return viaFloat32(a, b, func(x, y *tensor.Tensor) (*tensor.Tensor, error) {
			return map2(x, y, func(x, y float32) float32 { return float32(math.Mod(float64(x), float64(y))) })
		})
	}
	if ewHasZero(b) {
		return nil, errShape("Mod: integer division by zero")
	}
	switch dt {
	case tensor.Int8:
		return out1(map2(a, b, modInt[int8](k.fmod)))
	case tensor.Int16:
		return out1(map2(a, b, modInt[int16](k.fmod)))
	case tensor.Int32:
		return out1(map2(a, b, modInt[int32](k.fmod)))
	case tensor.Int64:
		return out1(map2(a, b, modInt[int64](k.fmod)))
	case tensor.Uint8:
		return out1(map2(a, b, modInt[uint8](k.fmod)))
	case tensor.Uint16:
		return out1(map2(a, b, modInt[uint16](k.fmod)))
	case tensor.Uint32:
		return out1(map2(a, b, modInt[uint32](k.fmod)))
	case tensor.Uint64:
		return out1(map2(a, b, modInt[uint64](k.fmod)))
	}
	return nil, errDType("Mod does not support %v", dt)
}

// modInt returns the truncated remainder (fmod) or the floored one.
func modInt[T ewInteger](fmod bool) func(x, y T) T {
	if fmod {
		return func(x, y T) T { return x % y }
	}
	return func(x, y T) T {
		r := x % y
		if r != 0 && (r < 0) != (y < 0) {
			r += y
		}
		return r
	}
}

// InferShapes broadcasts the input facts.
func (k *modKernel) InferShapes(in []runtime.Fact) ([]runtime.Fact, error) {
	return broadcastFacts(in, tensor.Undefined)
}

// Backward (floats, fmod = 1): y = a - b*trunc(a/b), so da = 1 and
// db = -trunc(a/b) away from the jumps; both are summed over broadcast
// axes.
func (k *modKernel) Backward(rc *runtime.RunContext, f *runtime.Forward, g []*tensor.Tensor) ([]*tensor.Tensor, error) {
	out := make([]*tensor.Tensor, 2)
	a, b, gy := f.Inputs[0], f.Inputs[1], g[0]
	if gy == nil {
		return out, nil
	}
	if err := ewFloatGrad("Mod", a, b, gy); err != nil {
		return nil, err
	}
	var da, db func(a, b, y float64) float64
	if f.NeedGrad[0] {
		da = func(_, _, _ float64) float64 { return 1 }
	}
	if f.NeedGrad[1] {
		db = func(x, z, _ float64) float64 { return -math.Trunc(x / z) }
	}
	var err error
	out[0], out[1], err = ewBinaryGrads(a, b, b.Shape(), nil, gy, da, db)
	return out, err
}

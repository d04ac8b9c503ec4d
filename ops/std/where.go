package std

import (
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// Where: y = cond ? x : y elementwise, broadcasting all three inputs the
// NumPy way (opset 9; 16 added bfloat16). x and y may have any dtype
// (the same one); cond is bool.

func init() {
	register(&runtime.Op{Type: "Where", Since: 9, Inputs: [2]int{3, 3}, Outputs: [2]int{1, 1}, Build: fixed(whereKernel{})})
}

type whereKernel struct{}

func (whereKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if err := ewCheckOut(rc, in); err != nil {
		return nil, err
	}
	c, x, y := in[0], in[1], in[2]
	if c.DType() != tensor.Bool {
		return nil, errDType("Where condition must be bool, got %v", c.DType())
	}
	if x.DType() != y.DType() {
		return nil, errDType("Where of %v and %v", x.DType(), y.DType())
	}
	shape, err := tensor.BroadcastShape(c.Shape(), x.Shape(), y.Shape())
	if err != nil {
		return nil, err
	}
	switch x.DType() {
	case tensor.Float32:
		return out1(whereT[float32](c, x, y, shape))
	case tensor.Float64:
		return out1(whereT[float64](c, x, y, shape))
	case tensor.Float16:
		return out1(whereT[tensor.F16](c, x, y, shape))
	case tensor.BFloat16:
		return out1(whereT[tensor.BF16](c, x, y, shape))
	case tensor.Int8:
		return out1(whereT[int8](c, x, y, shape))
	case tensor.Int16:
		return out1(whereT[int16](c, x, y, shape))
	case tensor.Int32:
		return out1(whereT[int32](c, x, y, shape))
	case tensor.Int64:
		return out1(whereT[int64](c, x, y, shape))
	case tensor.Uint8:
		return out1(whereT[uint8](c, x, y, shape))
	case tensor.Uint16:
		return out1(whereT[uint16](c, x, y, shape))
	case tensor.Uint32:
		return out1(whereT[uint32](c, x, y, shape))
	case tensor.Uint64:
		return out1(whereT[uint64](c, x, y, shape))
	case tensor.Bool:
		return out1(whereT[bool](c, x, y, shape))
	case tensor.String:
		return out1(whereT[string](c, x, y, shape))
	}
	return nil, errDType("Where does not support %v", x.DType())
}

func whereT[T tensor.Elem](c, x, y *tensor.Tensor, shape []int) (*tensor.Tensor, error) {
	bc, err := tensor.NewBroadcaster(shape, c.Shape(), x.Shape(), y.Shape())
	if err != nil {
		return nil, err
	}
	out := tensor.Make[T](shape...)
	d := tensor.Data[T](out)
	cv, xv, yv := tensor.Data[bool](c), tensor.Data[T](x), tensor.Data[T](y)
	st := bc.Steps()
	sc, sx, sy := st[0], st[1], st[2]
	ewRowsPar(bc, ewGrainCheap, func(o int, in []int, lo, hi int) {
		ic, ix, iy := in[0]+lo*sc, in[1]+lo*sx, in[2]+lo*sy
		for i := o + lo; i < o+hi; i++ {
			if cv[ic] {
				d[i] = xv[ix]
			} else {
				d[i] = yv[iy]
			}
			ic += sc
			ix += sx
			iy += sy
		}
	})
	return out, nil
}

// InferShapes broadcasts all three inputs; the dtype is x's.
func (whereKernel) InferShapes(in []runtime.Fact) ([]runtime.Fact, error) {
	out, err := broadcastFacts(in, tensor.Bool)
	if err != nil {
		return nil, err
	}
	out[0].DType = in[1].DType
	if out[0].DType == tensor.Undefined {
		out[0].DType = in[2].DType
	}
	return out, nil
}

// Backward: x gets the gradient where cond holds, y where it does not,
// each summed over the axes it was broadcast along; cond gets none.
func (whereKernel) Backward(rc *runtime.RunContext, f *runtime.Forward, g []*tensor.Tensor) ([]*tensor.Tensor, error) {
	out := make([]*tensor.Tensor, 3)
	c, x, y, gy := f.Inputs[0], f.Inputs[1], f.Inputs[2], g[0]
	if gy == nil {
		return out, nil
	}
	if err := ewFloatGrad("Where", x, gy); err != nil {
		return nil, err
	}
	bc, err := tensor.NewBroadcaster(gy.Shape(), c.Shape(), x.Shape(), y.Shape())
	if err != nil {
		return nil, err
	}
	gv, cv := ewFloat64s(gy), tensor.Data[bool](c)
	var sx, sy []float64
	if f.NeedGrad[1] {
		sx = make([]float64, x.Len())
	}
	if f.NeedGrad[2] {
		sy = make([]float64, y.Len())
	}
	rl, st := bc.RowLen(), bc.Steps()
	bc.ForRows(0, bc.Rows(), func(o int, in []int) {
		ic, ix, iy := in[0], in[1], in[2]
		for i := o; i < o+rl; i++ {
			if cv[ic] {
				if sx != nil {
					sx[ix] += gv[i]
				}
			} else if sy != nil {
				sy[iy] += gv[i]
			}
			ic += st[0]
			ix += st[1]
			iy += st[2]
		}
	})
	if sx != nil {
		out[1] = ewFromFloat64s(x.DType(), x.Shape(), sx)
	}
	if sy != nil {
		out[2] = ewFromFloat64s(y.DType(), y.Shape(), sy)
	}
	return out, nil
}

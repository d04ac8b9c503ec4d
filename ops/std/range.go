package std

import (
	"math"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// Range: the 1-D sequence start, start+delta, ... up to but excluding
// limit, with max(ceil((limit-start)/delta), 0) elements; all three inputs
// are scalars of one dtype (float, double, int16, int32, int64). Opset 11.

func init() {
	register(&runtime.Op{Type: "Range", Since: 11, Inputs: [2]int{3, 3}, Outputs: [2]int{1, 1}, Build: fixed(rangeKernel{})})
}

type rangeKernel struct{}

func (rangeKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if err := sameDTypes(in); err != nil {
		return nil, err
	}
	for i, t := range in {
		if t.Len() != 1 {
			return nil, errShape("Range input %d must be a scalar, has shape %v", i, t.Shape())
		}
	}
	dt := in[0].DType()
	switch dt {
	case tensor.Float32:
		return rangeFloat[float32](rc, in)
	case tensor.Float64:
		return rangeFloat[float64](rc, in)
	case tensor.Int16:
		return rangeInt[int16](rc, in)
	case tensor.Int32:
		return rangeInt[int32](rc, in)
	case tensor.Int64:
		return rangeInt[int64](rc, in)
	}
	return nil, errDType("Range does not support %v", dt)
}

func rangeFloat[T float32 | float64](rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	start, limit, delta := tensor.Data[T](in[0])[0], tensor.Data[T](in[1])[0], tensor.Data[T](in[2])[0]
	if delta == 0 || math.IsNaN(float64(delta)) {
		return nil, errShape("Range delta must be non-zero, got %v", delta)
	}
	c := math.Ceil(float64(limit-start) / float64(delta))
	if math.IsNaN(c) {
		return nil, errShape("Range of %v to %v by %v", start, limit, delta)
	}
	n := 0
	if c > 0 {
		if c > math.MaxInt32*1024.0 {
			c = math.MaxInt32 * 1024.0 // beyond any size limit; CheckSize refuses it
		}
		n = int(c)
	}
	out, err := rc.Alloc(tensor.DTypeOf[T](), n)
	if err != nil {
		return nil, err
	}
	d := tensor.Data[T](out)
	for i := range d {
		d[i] = start + T(i)*delta
	}
	return []*tensor.Tensor{out}, nil
}

func rangeInt[T int16 | int32 | int64](rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	start, limit, delta := tensor.Data[T](in[0])[0], tensor.Data[T](in[1])[0], tensor.Data[T](in[2])[0]
	if delta == 0 {
		return nil, errShape("Range delta must be non-zero")
	}
	// Count in float64 first so the int64 arithmetic below cannot overflow
	// for counts that the size limit would refuse anyway.
	approx := (float64(limit) - float64(start)) / float64(delta)
	n := 0
	if approx > 0 {
		if approx > math.MaxInt32*1024.0 {
			n = math.MaxInt32 * 1024
		} else {
			// Exact ceiling of (limit-start)/delta; the difference is
			// taken unsigned so it cannot overflow.
			var diff, step uint64
			if delta > 0 {
				diff, step = uint64(int64(limit))-uint64(int64(start)), uint64(int64(delta))
			} else {
				diff, step = uint64(int64(start))-uint64(int64(limit)), uint64(-int64(delta))
			}
			q := diff / step
			if diff%step != 0 {
				q++
			}
			n = int(q)
		}
	}
	out, err := rc.Alloc(tensor.DTypeOf[T](), n)
	if err != nil {
		return nil, err
	}
	d := tensor.Data[T](out)
	v := start
	for i := range d {
		d[i] = v
		v += delta
	}
	return []*tensor.Tensor{out}, nil
}

// InferShapes: a 1-D tensor of the inputs' dtype.
func (rangeKernel) InferShapes(in []runtime.Fact) ([]runtime.Fact, error) {
	return []runtime.Fact{{DType: in[0].DType, Shape: []int{-1}, HasShape: true}}, nil
}

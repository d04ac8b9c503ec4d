package std

import (
	"fmt"
	"math"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// OneHot: for indices of shape S, an output of rank len(S)+1 with a new
// axis of size depth inserted at axis (default -1, the end), holding
// values[1] where the new coordinate equals the index and values[0]
// elsewhere. Indices and depth may be of any numeric type (floats are
// truncated); indices outside the range give an all-off row. Opset 9;
// opset 11 lets negative indices count from depth and allows a negative
// axis.

func init() {
	register(
		&runtime.Op{Type: "OneHot", Since: 9, Inputs: [2]int{3, 3}, Outputs: [2]int{1, 1}, Build: buildOneHot},
		&runtime.Op{Type: "OneHot", Since: 11, Inputs: [2]int{3, 3}, Outputs: [2]int{1, 1}, Build: buildOneHot},
	)
}

type oneHotKernel struct {
	axis     int64
	negative bool // negative indices count from depth
}

func buildOneHot(b *runtime.BuildContext) (runtime.Kernel, error) {
	return &oneHotKernel{axis: b.Int("axis", -1), negative: b.Version >= 11}, b.Err()
}

func (k *oneHotKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	ind, depthT, vals := in[0], in[1], in[2]
	if !ind.DType().IsNumeric() || !depthT.DType().IsNumeric() {
		return nil, errDType("OneHot indices and depth must be numeric, got %v and %v", ind.DType(), depthT.DType())
	}
	if depthT.Len() != 1 {
		return nil, errShape("OneHot depth must hold one value, has shape %v", depthT.Shape())
	}
	if vals.Len() != 2 || vals.Rank() > 1 {
		return nil, errShape("OneHot values must be [off, on], has shape %v", vals.Shape())
	}
	dv, err := tensor.Float64s(depthT)
	if err != nil {
		return nil, err
	}
	if math.IsNaN(dv[0]) || dv[0] < 1 {
		return nil, errShape("OneHot depth must be positive, got %v", dv[0])
	}
	if dv[0] > 1<<40 {
		return nil, fmt.Errorf("OneHot depth %v: %w", dv[0], runtime.ErrTooLarge)
	}
	depth := int(dv[0])
	r := ind.Rank()
	a := int(k.axis)
	if a < 0 {
		a += r + 1
	}
	if a < 0 || a > r {
		return nil, errShape("OneHot axis %d out of range for rank %d", k.axis, r+1)
	}
	shape := append(append(append([]int{}, ind.Shape()[:a]...), depth), ind.Shape()[a:]...)
	out, err := rc.Alloc(vals.DType(), shape...)
	if err != nil {
		return nil, err
	}
	kt := shpMustKit(out)
	kt.fillN(out.Raw(), 0, out.Len(), vals.Raw())
	var idx []float64
	if ind.DType().IsFloat() {
		if idx, err = tensor.Float64s(ind); err != nil {
			return nil, err
		}
	}
	var iv []int64
	if idx == nil {
		if iv, err = tensor.Int64s(ind); err != nil {
			return nil, err
		}
	}
	inner := tensor.NumElements(ind.Shape()[a:])
	for p := 0; p < ind.Len(); p++ {
		var j int64
		if idx != nil {
			f := math.Trunc(idx[p])
			if math.IsNaN(f) || math.Abs(f) > float64(depth) {
				continue
			}
			j = int64(f)
		} else {
			j = iv[p]
			if ind.DType() == tensor.Uint64 && uint64(j) > math.MaxInt64 {
				continue
			}
		}
		if j < 0 && k.negative {
			j += int64(depth)
		}
		if j < 0 || j >= int64(depth) {
			continue
		}
		o, i := p/inner, p%inner
		kt.copyN(out.Raw(), (o*depth+int(j))*inner+i, vals.Raw(), 1, 1)
	}
	return []*tensor.Tensor{out}, nil
}

// InferShapes: the values' dtype, one more dim than the indices.
func (k *oneHotKernel) InferShapes(in []runtime.Fact) ([]runtime.Fact, error) {
	out := runtime.Fact{DType: in[2].DType}
	if in[0].HasShape {
		r := len(in[0].Shape)
		a := int(k.axis)
		if a < 0 {
			a += r + 1
		}
		if a < 0 || a > r {
			return nil, errShape("OneHot axis %d out of range for rank %d", k.axis, r+1)
		}
		d := -1
		if v := in[1].Value; v != nil && v.Len() == 1 && v.DType().IsNumeric() {
			f, _ := tensor.Float64s(v)
			if f[0] >= 1 && f[0] < 1<<40 {
				d = int(f[0])
			}
		}
		out.Shape = append(append(append([]int{}, in[0].Shape[:a]...), d), in[0].Shape[a:]...)
		out.HasShape = true
	}
	return []runtime.Fact{out}, nil
}

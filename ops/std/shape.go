package std

import (
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// Shape: the input's dims as a 1-D int64 tensor. Opset 15 adds start and
// end attributes selecting dims[start:end] (negative values count from the
// end; out of range values are clamped). Opsets 1 and 13 take all dims.

func init() {
	register(
		&runtime.Op{Type: "Shape", Since: 1, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1}, Build: buildShape},
		&runtime.Op{Type: "Shape", Since: 15, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1}, Build: buildShape},
	)
}

type shapeKernel struct {
	start  int64
	end    int64
	hasEnd bool
}

func buildShape(b *runtime.BuildContext) (runtime.Kernel, error) {
	k := &shapeKernel{}
	if b.Version >= 15 {
		k.start, k.hasEnd = b.Int("start", 0), b.HasAttr("end")
		k.end = b.Int("end", 0)
	}
	return k, b.Err()
}

// bounds returns the clamped [start, end) range of dims for a rank.
func (k *shapeKernel) bounds(rank int) (int, int) {
	r := int64(rank)
	clamp := func(v int64) int {
		if v < 0 {
			v += r
		}
		return int(min(max(v, 0), r))
	}
	s, e := clamp(k.start), rank
	if k.hasEnd {
		e = clamp(k.end)
	}
	return s, max(s, e)
}

func (k *shapeKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	s, e := k.bounds(in[0].Rank())
	return []*tensor.Tensor{shpShapeTensor(in[0].Shape()[s:e])}, nil
}

// InferShapes: a 1-D int64 tensor with one entry per selected dim.
func (k *shapeKernel) InferShapes(in []runtime.Fact) ([]runtime.Fact, error) {
	out := runtime.Fact{DType: tensor.Int64, Shape: []int{-1}, HasShape: true}
	if in[0].HasShape {
		s, e := k.bounds(len(in[0].Shape))
		out.Shape[0] = e - s
	}
	return []runtime.Fact{out}, nil
}

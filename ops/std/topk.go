package std

import (
	"cmp"
	"slices"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// TopK: the k largest (or, with largest=0, smallest) elements along an
// axis and their int64 indices. Equal values keep index order (the lower
// index first); NaN counts as larger than every number. Opset 1 takes k as
// an attribute; opset 10 as a 1-element input; opset 11 adds largest and
// sorted and allows a negative axis (results here are always sorted).

func init() {
	register(
		&runtime.Op{Type: "TopK", Since: 1, Inputs: [2]int{1, 1}, Outputs: [2]int{2, 2}, Build: buildTopK},
		&runtime.Op{Type: "TopK", Since: 10, Inputs: [2]int{2, 2}, Outputs: [2]int{2, 2}, Build: buildTopK},
		&runtime.Op{Type: "TopK", Since: 11, Inputs: [2]int{2, 2}, Outputs: [2]int{2, 2}, Build: buildTopK},
	)
}

type topKKernel struct {
	axis    int64
	attrK   int64
	attr    bool // k is the attribute (opset 1)
	largest bool
}

func buildTopK(b *runtime.BuildContext) (runtime.Kernel, error) {
	k := &topKKernel{axis: b.Int("axis", -1), largest: true}
	if b.Version < 10 {
		k.attr, k.attrK = true, b.RequireInt("k")
	}
	if b.Version >= 11 {
		k.largest = b.Int("largest", 1) != 0
	}
	return k, b.Err()
}

func (k *topKKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	x := in[0]
	kk := k.attrK
	if !k.attr {
		v, err := shpInts(in[1], "TopK k")
		if err != nil {
			return nil, err
		}
		if len(v) != 1 {
			return nil, errShape("TopK k must hold one value, has shape %v", in[1].Shape())
		}
		kk = v[0]
	}
	a, err := normAxis(k.axis, x.Rank())
	if err != nil {
		return nil, err
	}
	n := x.Dim(a)
	if kk < 0 || kk > int64(n) {
		return nil, errShape("TopK k=%d for an axis of size %d", kk, n)
	}
	shape := append([]int(nil), x.Shape()...)
	shape[a] = int(kk)
	outer := tensor.NumElements(x.Shape()[:a])
	inner := tensor.NumElements(x.Shape()[a+1:])
	g := topKGeom{outer: outer, n: n, inner: inner, k: int(kk), largest: k.largest}
	switch x.DType() {
	case tensor.Float32:
		return topKT[float32](x, shape, g)
	case tensor.Float64:
		return topKT[float64](x, shape, g)
	case tensor.Int8:
		return topKT[int8](x, shape, g)
	case tensor.Int16:
		return topKT[int16](x, shape, g)
	case tensor.Int32:
		return topKT[int32](x, shape, g)
	case tensor.Int64:
		return topKT[int64](x, shape, g)
	case tensor.Uint8:
		return topKT[uint8](x, shape, g)
	case tensor.Uint16:
		return topKT[uint16](x, shape, g)
	case tensor.Uint32:
		return topKT[uint32](x, shape, g)
	case tensor.Uint64:
		return topKT[uint64](x, shape, g)
	case tensor.Float16, tensor.BFloat16:
		f, err := tensor.Convert(x, tensor.Float32)
		if err != nil {
			return nil, err
		}
		out, err := topKT[float32](f, shape, g)
		if err != nil {
			return nil, err
		}
		if out[0], err = tensor.Convert(out[0], x.DType()); err != nil {
			return nil, err
		}
		return out, nil
	}
	return nil, errDType("TopK does not support %v", x.DType())
}

type topKGeom struct {
	outer, n, inner, k int
	largest            bool
}

// topkIsNaN reports whether v is a floating-point NaN.
func topkIsNaN[T tensor.Number](v T) bool { return v != v }

func topKT[T tensor.Number](x *tensor.Tensor, shape []int, g topKGeom) ([]*tensor.Tensor, error) {
	vals := tensor.Make[T](shape...)
	inds := tensor.Make[int64](shape...)
	src, dv, di := tensor.Data[T](x), tensor.Data[T](vals), tensor.Data[int64](inds)
	// order compares two positions: the better one sorts first.
	line := make([]T, g.n)
	order := func(p, q int) int {
		a, b := line[p], line[q]
		var c int
		switch an, bn := topkIsNaN(a), topkIsNaN(b); {
		case an && bn:
			c = 0
		case an:
			c = 1
		case bn:
			c = -1
		default:
			c = cmp.Compare(a, b)
		}
		if g.largest {
			c = -c
		}
		if c != 0 {
			return c
		}
		return p - q
	}
	idx := make([]int, g.n)
	for o := 0; o < g.outer; o++ {
		for in := 0; in < g.inner; in++ {
			for i := range line {
				line[i] = src[(o*g.n+i)*g.inner+in]
				idx[i] = i
			}
			slices.SortFunc(idx, order)
			for j := 0; j < g.k; j++ {
				p := (o*g.k+j)*g.inner + in
				dv[p], di[p] = line[idx[j]], int64(idx[j])
			}
		}
	}
	return []*tensor.Tensor{vals, inds}, nil
}

// InferShapes: the input's shape with the axis dim k (when k is known).
func (k *topKKernel) InferShapes(in []runtime.Fact) ([]runtime.Fact, error) {
	v := runtime.Fact{DType: in[0].DType}
	i := runtime.Fact{DType: tensor.Int64}
	if in[0].HasShape {
		a, err := normAxis(k.axis, len(in[0].Shape))
		if err != nil {
			return nil, err
		}
		shape := append([]int(nil), in[0].Shape...)
		shape[a] = -1
		if k.attr {
			shape[a] = int(k.attrK)
		} else if c := in[1].Value; c != nil && c.Len() == 1 && (c.DType() == tensor.Int64 || c.DType() == tensor.Int32) {
			kv, _ := tensor.Int64s(c)
			if kv[0] >= 0 && kv[0] < 1<<40 {
				shape[a] = int(kv[0])
			}
		}
		v.Shape, v.HasShape = shape, true
		i.Shape, i.HasShape = append([]int(nil), shape...), true
	}
	return []runtime.Fact{v, i}, nil
}

package std

import (
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// Tile: repeats the input along every axis, repeats[i] times along axis i.
// Opset 1 takes a scalar tiles count and a scalar axis as inputs; opset 6
// takes the repeats per axis as an input; opset 13 only added dtypes.

func init() {
	register(
		&runtime.Op{Type: "Tile", Since: 1, Inputs: [2]int{3, 3}, Outputs: [2]int{1, 1}, Build: buildTile},
		&runtime.Op{Type: "Tile", Since: 6, Inputs: [2]int{2, 2}, Outputs: [2]int{1, 1}, Build: buildTile},
	)
}

type tileKernel struct{ legacy bool }

func buildTile(b *runtime.BuildContext) (runtime.Kernel, error) {
	return &tileKernel{legacy: b.Version < 6}, nil
}

// repeats returns the repeat count of each axis.
func (k *tileKernel) repeats(in []*tensor.Tensor) ([]int, error) {
	x := in[0]
	if k.legacy {
		t, err := shpInts(in[1], "Tile tiles")
		if err != nil {
			return nil, err
		}
		a, err := shpInts(in[2], "Tile axis")
		if err != nil {
			return nil, err
		}
		if len(t) != 1 || len(a) != 1 {
			return nil, errShape("Tile-1 tiles and axis must be scalars")
		}
		ax, err := normAxis(a[0], x.Rank())
		if err != nil {
			return nil, err
		}
		r := make([]int64, x.Rank())
		for i := range r {
			r[i] = 1
		}
		r[ax] = t[0]
		return shpDims(r, "Tile tiles")
	}
	r, err := shpInts(in[1], "Tile repeats")
	if err != nil {
		return nil, err
	}
	if len(r) != x.Rank() {
		return nil, errShape("Tile repeats %v for a rank-%d input", r, x.Rank())
	}
	return shpDims(r, "Tile repeats")
}

func (k *tileKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	x := in[0]
	reps, err := k.repeats(in)
	if err != nil {
		return nil, err
	}
	shape := make([]int, len(reps))
	for i, r := range reps {
		d := x.Dim(i)
		if d > 0 && r > (1<<62)/d {
			return nil, errShape("Tile output dim %d*%d is too large", d, r)
		}
		shape[i] = d * r
	}
	if err := rc.CheckSize(x.DType(), shape); err != nil {
		return nil, err
	}
	maps := make([][]int, len(shape))
	if tensor.NumElements(shape) > 0 {
		strides := tensor.Strides(x.Shape())
		for i, n := range shape {
			d := x.Dim(i)
			m := make([]int, n)
			for j := range m {
				m[j] = (j % d) * strides[i]
			}
			maps[i] = m
		}
	}
	return out1(shpGather(x, shape, maps, nil))
}

// InferShapes multiplies the dims by constant repeats.
func (k *tileKernel) InferShapes(in []runtime.Fact) ([]runtime.Fact, error) {
	out := runtime.Fact{DType: in[0].DType}
	if !in[0].HasShape || k.legacy {
		return []runtime.Fact{out}, nil
	}
	out.Shape, out.HasShape = make([]int, len(in[0].Shape)), true
	var reps []int64
	if in[1].Value != nil {
		r, err := shpInts(in[1].Value, "Tile repeats")
		if err != nil {
			return nil, err
		}
		if len(r) != len(in[0].Shape) {
			return nil, errShape("Tile repeats %v for a rank-%d input", r, len(in[0].Shape))
		}
		reps = r
	}
	for i, d := range in[0].Shape {
		out.Shape[i] = -1
		if reps != nil && d >= 0 && reps[i] >= 0 {
			out.Shape[i] = d * int(reps[i])
		}
	}
	return []runtime.Fact{out}, nil
}

// Backward sums the gradient over the tiles.
func (k *tileKernel) Backward(rc *runtime.RunContext, f *runtime.Forward, g []*tensor.Tensor) ([]*tensor.Tensor, error) {
	res := make([]*tensor.Tensor, len(f.Inputs))
	if !f.NeedGrad[0] || g[0] == nil {
		return res, nil
	}
	x := f.Inputs[0]
	gr := g[0]
	for i, d := range x.Shape() {
		n := gr.Dim(i)
		if n == d {
			continue
		}
		idx := make([]int, n)
		for j := range idx {
			idx[j] = j % d
		}
		var err error
		if gr, err = shpAccumulate(gr, i, d, idx); err != nil {
			return nil, err
		}
	}
	res[0] = gr
	return res, nil
}

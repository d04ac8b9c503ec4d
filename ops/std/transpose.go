package std

import (
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// Transpose: permutes the axes of a tensor as the perm attribute says
// (output axis k is input axis perm[k]; default: reverse the axes).
// Opset 1; opset 13 only added dtypes. The copy is tiled so reads and
// writes both stay cache-friendly, and split across cores when large.

func init() {
	register(&runtime.Op{Type: "Transpose", Since: 1, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1}, Build: buildTranspose})
}

type transposeKernel struct {
	perm []int64 // nil: reverse
}

func buildTranspose(b *runtime.BuildContext) (runtime.Kernel, error) {
	return &transposeKernel{perm: b.Ints("perm", nil)}, b.Err()
}

// permFor validates the permutation for a tensor of the given rank.
func (k *transposeKernel) permFor(rank int) ([]int, error) {
	p := make([]int, rank)
	if k.perm == nil {
		for i := range p {
			p[i] = rank - 1 - i
		}
		return p, nil
	}
	if len(k.perm) != rank {
		return nil, errShape("Transpose perm %v has %d entries for rank %d", k.perm, len(k.perm), rank)
	}
	seen := make([]bool, rank)
	for i, a := range k.perm {
		if a < 0 || a >= int64(rank) || seen[a] {
			return nil, errShape("Transpose perm %v is not a permutation of 0..%d", k.perm, rank-1)
		}
		seen[a] = true
		p[i] = int(a)
	}
	return p, nil
}

func (k *transposeKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	p, err := k.permFor(in[0].Rank())
	if err != nil {
		return nil, err
	}
	return []*tensor.Tensor{shpTranspose(in[0], p)}, nil
}

// InferShapes permutes the input's dims.
func (k *transposeKernel) InferShapes(in []runtime.Fact) ([]runtime.Fact, error) {
	out := runtime.Fact{DType: in[0].DType}
	if !in[0].HasShape {
		return []runtime.Fact{out}, nil
	}
	p, err := k.permFor(len(in[0].Shape))
	if err != nil {
		return nil, err
	}
	out.Shape, out.HasShape = make([]int, len(p)), true
	for i, a := range p {
		out.Shape[i] = in[0].Shape[a]
	}
	return []runtime.Fact{out}, nil
}

// Backward transposes the gradient by the inverse permutation.
func (k *transposeKernel) Backward(rc *runtime.RunContext, f *runtime.Forward, g []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if !f.NeedGrad[0] || g[0] == nil {
		return []*tensor.Tensor{nil}, nil
	}
	p, err := k.permFor(f.Inputs[0].Rank())
	if err != nil {
		return nil, err
	}
	inv := make([]int, len(p))
	for i, a := range p {
		inv[a] = i
	}
	return []*tensor.Tensor{shpTranspose(g[0], inv)}, nil
}

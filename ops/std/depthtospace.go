package std

import (
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// DepthToSpace: rearranges [N, C, H, W] into [N, C/b², H*b, W*b], moving
// blocks of channels into b×b spatial blocks. DCR mode takes the channel
// index as (block row, block column, channel); CRD as (channel, block row,
// block column). Opset 1 has DCR only; opset 11 adds the mode attribute;
// opset 13 only added dtypes.

func init() {
	register(
		&runtime.Op{Type: "DepthToSpace", Since: 1, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1}, Build: buildDepthToSpace},
		&runtime.Op{Type: "DepthToSpace", Since: 11, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1}, Build: buildDepthToSpace},
	)
}

type depthToSpaceKernel struct {
	block int
	crd   bool
}

func buildDepthToSpace(b *runtime.BuildContext) (runtime.Kernel, error) {
	bs := b.RequireInt("blocksize")
	if b.Err() == nil && (bs < 1 || bs > 1<<20) {
		b.Errorf("DepthToSpace blocksize %d is invalid", bs)
	}
	k := &depthToSpaceKernel{block: int(bs)}
	if b.Version >= 11 {
		switch m := b.String("mode", "DCR"); m {
		case "DCR":
		case "CRD":
			k.crd = true
		default:
			b.Errorf("DepthToSpace mode %q is not DCR or CRD", m)
		}
	}
	return k, b.Err()
}

func (k *depthToSpaceKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	x := in[0]
	if x.Rank() != 4 {
		return nil, errShape("DepthToSpace needs a 4-D input, got %v", x.Shape())
	}
	n, c, h, w := x.Dim(0), x.Dim(1), x.Dim(2), x.Dim(3)
	b := k.block
	if c%(b*b) != 0 {
		return nil, errShape("DepthToSpace: %d channels are not divisible by blocksize² %d", c, b*b)
	}
	cb := c / (b * b)
	var v *tensor.Tensor
	var perm []int
	var err error
	if k.crd {
		v, err = x.Reshape(n, cb, b, b, h, w)
		perm = []int{0, 1, 4, 2, 5, 3}
	} else {
		v, err = x.Reshape(n, b, b, cb, h, w)
		perm = []int{0, 3, 4, 1, 5, 2}
	}
	if err != nil {
		return nil, err
	}
	return out1(shpTranspose(v, perm).Reshape(n, cb, h*b, w*b))
}

// InferShapes: [N, C/b², H*b, W*b].
func (k *depthToSpaceKernel) InferShapes(in []runtime.Fact) ([]runtime.Fact, error) {
	out := runtime.Fact{DType: in[0].DType}
	if in[0].HasShape && len(in[0].Shape) == 4 {
		s, b := in[0].Shape, k.block
		out.Shape, out.HasShape = []int{s[0], -1, -1, -1}, true
		if s[1] >= 0 {
			out.Shape[1] = s[1] / (b * b)
		}
		if s[2] >= 0 {
			out.Shape[2] = s[2] * b
		}
		if s[3] >= 0 {
			out.Shape[3] = s[3] * b
		}
	}
	return []runtime.Fact{out}, nil
}

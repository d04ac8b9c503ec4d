package std

import (
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// SpaceToDepth: rearranges [N, C, H, W] into [N, C*b², H/b, W/b], moving
// each b×b spatial block into channels ordered (block row, block column,
// channel) — the inverse of DepthToSpace in DCR mode. Opset 1; opset 13
// only added dtypes.

func init() {
	register(&runtime.Op{Type: "SpaceToDepth", Since: 1, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1}, Build: buildSpaceToDepth})
}

type spaceToDepthKernel struct{ block int }

func buildSpaceToDepth(b *runtime.BuildContext) (runtime.Kernel, error) {
	bs := b.RequireInt("blocksize")
	if b.Err() == nil && (bs < 1 || bs > 1<<20) {
		b.Errorf("SpaceToDepth blocksize %d is invalid", bs)
	}
	return &spaceToDepthKernel{block: int(bs)}, b.Err()
}

func (k *spaceToDepthKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	x := in[0]
	if x.Rank() != 4 {
		return nil, errShape("SpaceToDepth needs a 4-D input, got %v", x.Shape())
	}
	n, c, h, w := x.Dim(0), x.Dim(1), x.Dim(2), x.Dim(3)
	b := k.block
	if h%b != 0 || w%b != 0 {
		return nil, errShape("SpaceToDepth: spatial dims %dx%d are not divisible by blocksize %d", h, w, b)
	}
	v, err := x.Reshape(n, c, h/b, b, w/b, b)
	if err != nil {
		return nil, err
	}
	return out1(shpTranspose(v, []int{0, 3, 5, 1, 2, 4}).Reshape(n, c*b*b, h/b, w/b))
}

// InferShapes: [N, C*b², H/b, W/b].
func (k *spaceToDepthKernel) InferShapes(in []runtime.Fact) ([]runtime.Fact, error) {
	out := runtime.Fact{DType: in[0].DType}
	if in[0].HasShape && len(in[0].Shape) == 4 {
		s, b := in[0].Shape, k.block
		out.Shape, out.HasShape = []int{s[0], -1, -1, -1}, true
		if s[1] >= 0 {
			out.Shape[1] = s[1] * b * b
		}
		if s[2] >= 0 {
			out.Shape[2] = s[2] / b
		}
		if s[3] >= 0 {
			out.Shape[3] = s[3] / b
		}
	}
	return []runtime.Fact{out}, nil
}

package std

import (
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// If: runs then_branch or else_branch by a boolean scalar condition; the
// branches read outer values through the node's implicit inputs.

func init() {
	register(&runtime.Op{Type: "If", Since: 1, Inputs: [2]int{1, 1}, Outputs: [2]int{1, runtime.Variadic}, Build: buildIf})
}

type ifKernel struct {
	then, els *runtime.Subgraph
	nout      int
}

func buildIf(b *runtime.BuildContext) (runtime.Kernel, error) {
	k := &ifKernel{then: b.Subgraph("then_branch"), els: b.Subgraph("else_branch"), nout: b.NumOutputs()}
	if err := b.Err(); err != nil {
		return nil, err
	}
	for _, br := range []*runtime.Subgraph{k.then, k.els} {
		if len(br.Inputs()) != 0 {
			return nil, b.Errorf("If branches take no inputs, a branch declares %d", len(br.Inputs()))
		}
		if len(br.Outputs()) != k.nout {
			return nil, b.Errorf("If has %d outputs but a branch produces %d", k.nout, len(br.Outputs()))
		}
	}
	return k, nil
}

func (k *ifKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	c := in[0]
	if c.DType() != tensor.Bool || c.Len() != 1 {
		return nil, errDType("If condition must be a single bool, got %v", c)
	}
	br := k.els
	if tensor.Data[bool](c)[0] {
		br = k.then
	}
	return br.Run(rc, nil, in)
}

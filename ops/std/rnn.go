package std

import (
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// RNN: a one-layer simple recurrent network, Ht = f(Xt·Wᵀ + Ht-1·Rᵀ + Wb
// + Rb) (f default Tanh), forward, reverse or bidirectional, with optional
// bias, sequence_lens, initial_h, clip and activation parameters; outputs
// Y (every step's hidden state, zero past a sequence's length) and Y_h
// (the last one). Opset history: 1 (output_sequence, which only made Y
// optional), 7 (it was removed), 14 (layout: batch-major inputs and
// outputs). The driver lives in rnn_util.go.

func init() {
	for _, v := range []int{1, 14} {
		register(&runtime.Op{Type: "RNN", Since: v, Inputs: [2]int{3, 6}, Outputs: [2]int{1, 2}, Build: buildRNN})
	}
}

type rnnKernel struct{ cfg *rnnConfig }

func buildRNN(b *runtime.BuildContext) (runtime.Kernel, error) {
	c, err := buildRNNConfig(b, "RNN", cellRNN, []string{"Tanh"})
	if err != nil {
		return nil, err
	}
	return &rnnKernel{c}, nil
}

func (k *rnnKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	return k.cfg.run(rc, in)
}

// InferShapes: Y and Y_h from X and R.
func (k *rnnKernel) InferShapes(in []runtime.Fact) ([]runtime.Fact, error) {
	return k.cfg.inferShapes(in)
}

// rnnCell updates hidden state h of one batch row from its input
// projection x and recurrent product hr.
func rnnCell[T tensor.Float](c *rnnConfig, acts []rnnAct, x, hr, h, pre []T) {
	p := pre[:len(h)]
	for j := range p {
		p[j] = x[j] + hr[j]
	}
	rnnClip(p, c.clip)
	rnnApply(&acts[0], p)
	copy(h, p)
}

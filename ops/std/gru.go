package std

import (
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// GRU: a one-layer gated recurrent unit with gates z (update), r (reset),
// h (hidden), weights stacked in that order:
// zt = f(Xt·Wzᵀ + Ht-1·Rzᵀ + Wbz + Rbz), rt likewise,
// ht = g(Xt·Whᵀ + (rt ⊙ Ht-1)·Rhᵀ + Rbh + Wbh), or with
// linear_before_reset ht = g(Xt·Whᵀ + rt ⊙ (Ht-1·Rhᵀ + Rbh) + Wbh),
// Ht = (1 − zt) ⊙ ht + zt ⊙ Ht-1 (f default Sigmoid, g Tanh). Directions,
// sequence_lens, initial_h, clip and activation parameters as for RNN.
// Opset history: 1 (output_sequence), 3 (linear_before_reset added; its
// default keeps opset-1 behaviour), 7 (output_sequence removed), 14
// (layout). The driver lives in rnn_util.go.

func init() {
	for _, v := range []int{1, 14} {
		register(&runtime.Op{Type: "GRU", Since: v, Inputs: [2]int{3, 6}, Outputs: [2]int{1, 2}, Build: buildGRU})
	}
}

type gruKernel struct{ cfg *rnnConfig }

func buildGRU(b *runtime.BuildContext) (runtime.Kernel, error) {
	c, err := buildRNNConfig(b, "GRU", cellGRU, []string{"Sigmoid", "Tanh"})
	if err != nil {
		return nil, err
	}
	c.lbr = b.Int("linear_before_reset", 0) != 0
	return &gruKernel{c}, b.Err()
}

func (k *gruKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	return k.cfg.run(rc, in)
}

// InferShapes: Y and Y_h from X and R.
func (k *gruKernel) InferShapes(in []runtime.Fact) ([]runtime.Fact, error) {
	return k.cfg.inferShapes(in)
}

// gruCell updates hidden state h of one batch row. x is the row's input
// projection (3H, biases folded in), hr its recurrent product (3H, or the
// z and r parts when prod holds (r ⊙ H)·Rhᵀ for linear_before_reset = 0),
// rbh the hidden gate's recurrent bias (linear_before_reset only; may be
// nil).
func gruCell[T tensor.Float](c *rnnConfig, acts []rnnAct, x, hr, prod, rbh, h, pre []T) {
	n := len(h)
	z, r, hh := pre[:n], pre[n:2*n], pre[2*n:3*n]
	for j := range z {
		z[j] = x[j] + hr[j]
	}
	rnnClip(z, c.clip)
	rnnApply(&acts[0], z)
	if prod != nil {
		for j := range hh {
			hh[j] = x[2*n+j] + prod[j]
		}
	} else {
		for j := range r {
			r[j] = x[n+j] + hr[n+j]
		}
		rnnClip(r, c.clip)
		rnnApply(&acts[0], r)
		for j := range hh {
			lin := hr[2*n+j]
			if rbh != nil {
				lin += rbh[j]
			}
			hh[j] = x[2*n+j] + r[j]*lin
		}
	}
	rnnClip(hh, c.clip)
	rnnApply(&acts[1], hh)
	for j := range h {
		h[j] = (1-z[j])*hh[j] + z[j]*h[j]
	}
}

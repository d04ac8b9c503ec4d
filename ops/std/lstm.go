package std

import (
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// LSTM: a one-layer long short-term memory with gates i, o, f, c stacked in
// that order in W, R and B, and peepholes P = [Pi, Po, Pf]:
// it = f(Xt·Wiᵀ + Ht-1·Riᵀ + Pi ⊙ Ct-1 + Wbi + Rbi), ft likewise with Pf,
// ct = g(Xt·Wcᵀ + Ht-1·Rcᵀ + Wbc + Rbc), Ct = ft ⊙ Ct-1 + it ⊙ ct,
// ot = f(Xt·Woᵀ + Ht-1·Roᵀ + Po ⊙ Ct + Wbo + Rbo), Ht = ot ⊙ h(Ct)
// (f default Sigmoid, g and h Tanh; input_forget couples ft = 1 − it; clip
// bounds the gates' inputs). Directions, sequence_lens, initial_h,
// initial_c and activation parameters as for RNN; outputs Y, Y_h, Y_c.
// Opset history: 1 (output_sequence), 7 (removed), 14 (layout). The driver
// lives in rnn_util.go.

func init() {
	for _, v := range []int{1, 14} {
		register(&runtime.Op{Type: "LSTM", Since: v, Inputs: [2]int{3, 8}, Outputs: [2]int{1, 3}, Build: buildLSTM})
	}
}

type lstmKernel struct{ cfg *rnnConfig }

func buildLSTM(b *runtime.BuildContext) (runtime.Kernel, error) {
	c, err := buildRNNConfig(b, "LSTM", cellLSTM, []string{"Sigmoid", "Tanh", "Tanh"})
	if err != nil {
		return nil, err
	}
	c.coupleIF = b.Int("input_forget", 0) != 0
	return &lstmKernel{c}, b.Err()
}

func (k *lstmKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	return k.cfg.run(rc, in)
}

// InferShapes: Y, Y_h and Y_c from X and R.
func (k *lstmKernel) InferShapes(in []runtime.Fact) ([]runtime.Fact, error) {
	return k.cfg.inferShapes(in)
}

// lstmCell updates hidden state h and cell state cs of one batch row from
// its input projection x (4H, biases folded in) and recurrent product hr
// (4H); p holds the peepholes [Pi, Po, Pf] or is nil.
func lstmCell[T tensor.Float](c *rnnConfig, acts []rnnAct, x, hr, p, h, cs, pre []T) {
	n := len(h)
	ig, og, fg, cg := pre[:n], pre[n:2*n], pre[2*n:3*n], pre[3*n:4*n]
	for j := range pre[:4*n] {
		pre[j] = x[j] + hr[j]
	}
	if p != nil {
		pi, pf := p[:n], p[2*n:3*n]
		for j := range ig {
			ig[j] += pi[j] * cs[j]
			fg[j] += pf[j] * cs[j]
		}
	}
	rnnClip(ig, c.clip)
	rnnClip(fg, c.clip)
	rnnClip(cg, c.clip)
	rnnApply(&acts[0], ig)
	if c.coupleIF {
		for j := range fg {
			fg[j] = 1 - ig[j]
		}
	} else {
		rnnApply(&acts[0], fg)
	}
	rnnApply(&acts[1], cg)
	for j := range cs {
		cs[j] = fg[j]*cs[j] + ig[j]*cg[j]
	}
	if p != nil {
		po := p[n : 2*n]
		for j := range og {
			og[j] += po[j] * cs[j]
		}
	}
	rnnClip(og, c.clip)
	rnnApply(&acts[0], og)
	hc := cg // reuse: h(Ct)
	copy(hc, cs)
	rnnApply(&acts[2], hc)
	for j := range h {
		h[j] = og[j] * hc[j]
	}
}

package std

import (
	"math/rand"
	"testing"

	"github.com/optnet-go/optnet/runtime"
)

func TestLSTM(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	def := []refAct{bindAct("Sigmoid", 0, 0), bindAct("Tanh", 0, 0), bindAct("Tanh", 0, 0)}
	// Forward, no bias.
	s := &refRNNSpec{cell: cellLSTM, seq: 3, batch: 2, in: 3, hid: 4, dirs: 1, acts: def}
	in := rnnTestCase(rng, s, false, false, false)
	checkRecurrent(t, "LSTM", 14, nil, s, in, 1e-12)
	// Bidirectional with bias, initial states, peepholes and lengths.
	s = &refRNNSpec{cell: cellLSTM, seq: 4, batch: 3, in: 2, hid: 3, dirs: 2, lens: []int{2, 4, 0},
		acts: append(append([]refAct(nil), def...), def...)}
	in = rnnTestCase(rng, s, true, true, true)
	checkRecurrent(t, "LSTM", 7, attrsOf(attrString("direction", "bidirectional")), s, in, 1e-12)
	// Reverse, clip, coupled input/forget gates, activations with
	// parameters consumed in order (ScaledTanh takes alpha and beta,
	// Elu alpha).
	s = &refRNNSpec{cell: cellLSTM, seq: 3, batch: 2, in: 2, hid: 3, dirs: 1, reverse: true, clip: f32v(0.5), coupleIF: true,
		acts: []refAct{bindAct("Sigmoid", 0, 0), bindAct("ScaledTanh", f32v(0.8), f32v(1.2)), bindAct("Elu", 0.5, 0)}}
	in = rnnTestCase(rng, s, true, true, true)
	attrs := attrsOf(attrString("direction", "reverse"), attrFloat("clip", 0.5), attrInt("input_forget", 1),
		runtime.Attribute{Name: "activations", Kind: runtime.AttrStrings, Strings: []string{"Sigmoid", "ScaledTanh", "Elu"}},
		attrFloats("activation_alpha", 0.8, 0.5), attrFloats("activation_beta", 1.2))
	checkRecurrent(t, "LSTM", 14, attrs, s, in, 1e-12)
	// Layout 1 with initial states.
	s = &refRNNSpec{cell: cellLSTM, seq: 2, batch: 3, in: 2, hid: 2, dirs: 1, acts: def}
	in = rnnTestCase(rng, s, true, true, true)
	y, yh, yc := s.run()
	out := runOp(t, "LSTM", 14, attrsOf(attrInt("layout", 1)), 3, toLayout1(in)...)
	assertClose(t, out[0], normF64([]int{3, 2, 1, 2}, rnnSwap01(y, 2, 3, 2)), 1e-12, 1e-12)
	assertClose(t, out[1], normF64([]int{3, 1, 2}, rnnSwap01(yh, 1, 3, 2)), 1e-12, 1e-12)
	assertClose(t, out[2], normF64([]int{3, 1, 2}, rnnSwap01(yc, 1, 3, 2)), 1e-12, 1e-12)
}

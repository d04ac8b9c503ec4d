package std

import (
	"math/rand"
	"testing"

	"github.com/optnet-go/optnet/runtime"
)

func TestGRU(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	sigTanh := []refAct{bindAct("Sigmoid", 0, 0), bindAct("Tanh", 0, 0)}
	for _, lbr := range []bool{false, true} {
		lb := int64(0)
		if lbr {
			lb = 1
		}
		// Forward, no bias.
		s := &refRNNSpec{cell: cellGRU, seq: 3, batch: 2, in: 3, hid: 4, dirs: 1, lbr: lbr, acts: sigTanh}
		in := rnnTestCase(rng, s, false, false, false)
		checkRecurrent(t, "GRU", 14, attrsOf(attrInt("linear_before_reset", lb)), s, in, 1e-12)
		// Bidirectional with bias, initial state, lengths.
		s = &refRNNSpec{cell: cellGRU, seq: 4, batch: 3, in: 2, hid: 3, dirs: 2, lbr: lbr, lens: []int{1, 4, 3},
			acts: append(append([]refAct(nil), sigTanh...), sigTanh...)}
		in = rnnTestCase(rng, s, true, true, false)
		checkRecurrent(t, "GRU", 7, attrsOf(attrInt("linear_before_reset", lb), attrString("direction", "bidirectional")), s, in, 1e-12)
		// Reverse, clip, other activations (HardSigmoid takes alpha and
		// beta, Softsign none).
		s = &refRNNSpec{cell: cellGRU, seq: 3, batch: 2, in: 2, hid: 3, dirs: 1, reverse: true, clip: f32v(0.7), lbr: lbr,
			acts: []refAct{bindAct("HardSigmoid", f32v(0.3), f32v(0.4)), bindAct("Softsign", 0, 0)}}
		in = rnnTestCase(rng, s, true, true, false)
		attrs := attrsOf(attrInt("linear_before_reset", lb), attrString("direction", "reverse"), attrFloat("clip", 0.7),
			runtime.Attribute{Name: "activations", Kind: runtime.AttrStrings, Strings: []string{"HardSigmoid", "Softsign"}},
			attrFloats("activation_alpha", 0.3), attrFloats("activation_beta", 0.4))
		checkRecurrent(t, "GRU", 14, attrs, s, in, 1e-12)
	}
	// Layout 1.
	s := &refRNNSpec{cell: cellGRU, seq: 3, batch: 2, in: 2, hid: 2, dirs: 2, acts: append(append([]refAct(nil), sigTanh...), sigTanh...)}
	in := rnnTestCase(rng, s, true, true, false)
	y, yh, _ := s.run()
	out := runOp(t, "GRU", 14, attrsOf(attrString("direction", "bidirectional"), attrInt("layout", 1)), 2, toLayout1(in)...)
	assertClose(t, out[0], normF64([]int{2, 3, 2, 2}, rnnSwap01(y, 3*2, 2, 2)), 1e-12, 1e-12)
	assertClose(t, out[1], normF64([]int{2, 2, 2}, rnnSwap01(yh, 2, 2, 2)), 1e-12, 1e-12)
}

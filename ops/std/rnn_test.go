package std

import (
	"errors"
	"math/rand"
	"testing"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestRNN(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	// Forward with defaults.
	s := &refRNNSpec{cell: cellRNN, seq: 4, batch: 2, in: 3, hid: 5, dirs: 1, acts: []refAct{bindAct("Tanh", 0, 0)}}
	in := rnnTestCase(rng, s, false, false, false)
	checkRecurrent(t, "RNN", 14, nil, s, in, 1e-12)
	// Bidirectional, bias, initial state, varied lengths (one empty),
	// activations with parameters: Relu takes no alpha, so LeakyRelu gets
	// the first one.
	s = &refRNNSpec{cell: cellRNN, seq: 4, batch: 3, in: 2, hid: 3, dirs: 2, lens: []int{4, 2, 0},
		acts: []refAct{bindAct("Relu", 0, 0), bindAct("LeakyRelu", f32v(0.3), 0)}}
	in = rnnTestCase(rng, s, true, true, false)
	attrs := attrsOf(attrString("direction", "bidirectional"), attrInt("hidden_size", 3),
		runtime.Attribute{Name: "activations", Kind: runtime.AttrStrings, Strings: []string{"Relu", "LeakyRelu"}},
		attrFloats("activation_alpha", 0.3))
	checkRecurrent(t, "RNN", 7, attrs, s, in, 1e-12)
	// Reverse with clip, in layout 1.
	s = &refRNNSpec{cell: cellRNN, seq: 3, batch: 2, in: 2, hid: 2, dirs: 1, reverse: true, clip: f32v(0.4), lens: []int{2, 3},
		acts: []refAct{bindAct("Tanh", 0, 0)}}
	in = rnnTestCase(rng, s, true, true, false)
	y, yh, _ := s.run()
	out := runOp(t, "RNN", 14, attrsOf(attrString("direction", "reverse"), attrFloat("clip", 0.4), attrInt("layout", 1)), 2, toLayout1(in)...)
	assertClose(t, out[0], normF64([]int{2, 3, 1, 2}, rnnSwap01(y, 3, 2, 2)), 1e-12, 1e-12)
	assertClose(t, out[1], normF64([]int{2, 1, 2}, rnnSwap01(yh, 1, 2, 2)), 1e-12, 1e-12)
	// float32 inputs.
	in32 := make([]*tensor.Tensor, len(in))
	for i, v := range in {
		if v != nil && v.DType() == tensor.Float64 {
			in32[i], _ = tensor.Convert(v, tensor.Float32)
		} else {
			in32[i] = v
		}
	}
	out = runOp(t, "RNN", 14, attrsOf(attrString("direction", "reverse"), attrFloat("clip", 0.4)), 2, in32...)
	if out[0].DType() != tensor.Float32 {
		t.Fatalf("float32 RNN gave %v", out[0].DType())
	}
	assertClose(t, out[1], normF64([]int{1, 2, 2}, yh), 1e-5, 1e-5)
}

func TestRNNErrors(t *testing.T) {
	x := tensor.Make[float32](2, 1, 3)
	w := tensor.Make[float32](1, 4, 3)
	r := tensor.Make[float32](1, 4, 4)
	cases := []struct {
		name  string
		attrs []runtime.Attribute
		in    []*tensor.Tensor
		want  error
	}{
		{"W shape", nil, []*tensor.Tensor{x, tensor.Make[float32](1, 4, 2), r}, tensor.ErrShape},
		{"R rank", nil, []*tensor.Tensor{x, w, tensor.Make[float32](4, 4)}, tensor.ErrShape},
		{"hidden_size", attrsOf(attrInt("hidden_size", 5)), []*tensor.Tensor{x, w, r}, tensor.ErrShape},
		{"two directions", attrsOf(attrString("direction", "bidirectional")), []*tensor.Tensor{x, w, r}, tensor.ErrShape},
		{"bias shape", nil, []*tensor.Tensor{x, w, r, tensor.Make[float32](1, 4)}, tensor.ErrShape},
		{"length", nil, []*tensor.Tensor{x, w, r, nil, tensor.MustFromSlice([]int{1}, []int32{3})}, tensor.ErrShape},
		{"lengths shape", nil, []*tensor.Tensor{x, w, r, nil, tensor.MustFromSlice([]int{2}, []int32{1, 1})}, tensor.ErrShape},
		{"float lengths", nil, []*tensor.Tensor{x, w, r, nil, tensor.MustFromSlice([]int{1}, []float32{1})}, tensor.ErrDType},
		{"initial_h shape", nil, []*tensor.Tensor{x, w, r, nil, nil, tensor.Make[float32](1, 2, 4)}, tensor.ErrShape},
		{"dtypes", nil, []*tensor.Tensor{x, w, tensor.Make[float64](1, 4, 4)}, tensor.ErrDType},
		{"int X", nil, []*tensor.Tensor{tensor.Make[int32](2, 1, 3), tensor.Make[int32](1, 4, 3), tensor.Make[int32](1, 4, 4)}, tensor.ErrDType},
		{"direction", attrsOf(attrString("direction", "sideways")), []*tensor.Tensor{x, w, r}, runtime.ErrInvalidGraph},
		{"activation", attrsOf(runtime.Attribute{Name: "activations", Kind: runtime.AttrStrings, Strings: []string{"Swish"}}), []*tensor.Tensor{x, w, r}, runtime.ErrInvalidGraph},
		{"activation count", attrsOf(runtime.Attribute{Name: "activations", Kind: runtime.AttrStrings, Strings: []string{"Tanh", "Tanh", "Tanh"}}), []*tensor.Tensor{x, w, r}, runtime.ErrInvalidGraph},
		{"layout", attrsOf(attrInt("layout", 2)), []*tensor.Tensor{x, w, r}, runtime.ErrInvalidGraph},
		{"clip", attrsOf(attrFloat("clip", -1)), []*tensor.Tensor{x, w, r}, runtime.ErrInvalidGraph},
	}
	for _, c := range cases {
		if err := runOpErr("RNN", 14, c.attrs, 2, c.in...); !errors.Is(err, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, err, c.want)
		}
	}
	// Empty batch and zero-length input: no panic.
	out := runOp(t, "RNN", 14, nil, 2, tensor.Make[float32](2, 0, 3), w, r)
	if !tensor.SameShape(out[0].Shape(), []int{2, 1, 0, 4}) {
		t.Fatalf("empty batch: Y %v", out[0].Shape())
	}
	out = runOp(t, "RNN", 14, nil, 2, tensor.Make[float32](2, 1, 0), tensor.Make[float32](1, 4, 0), r)
	if !tensor.SameShape(out[1].Shape(), []int{1, 1, 4}) {
		t.Fatalf("no inputs features: Y_h %v", out[1].Shape())
	}
}

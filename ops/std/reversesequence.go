package std

import (
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// ReverseSequence: for each batch entry b (along batch_axis), reverses
// the first sequence_lens[b] elements along time_axis and copies the rest.
// batch_axis and time_axis are 0 and 1 in either order. Opset 10.

func init() {
	register(&runtime.Op{Type: "ReverseSequence", Since: 10, Inputs: [2]int{2, 2}, Outputs: [2]int{1, 1}, Build: buildReverseSequence})
}

type reverseSequenceKernel struct{ batchAxis, timeAxis int }

func buildReverseSequence(b *runtime.BuildContext) (runtime.Kernel, error) {
	ba, ta := b.Int("batch_axis", 1), b.Int("time_axis", 0)
	if (ba != 0 && ba != 1) || (ta != 0 && ta != 1) || ba == ta {
		b.Errorf("ReverseSequence batch_axis %d and time_axis %d must be 0 and 1", ba, ta)
	}
	return &reverseSequenceKernel{batchAxis: int(ba), timeAxis: int(ta)}, b.Err()
}

func (k *reverseSequenceKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	x := in[0]
	if x.Rank() < 2 {
		return nil, errShape("ReverseSequence needs rank >= 2, got %v", x.Shape())
	}
	lens, err := shpInts(in[1], "ReverseSequence sequence_lens")
	if err != nil {
		return nil, err
	}
	nb, nt := x.Dim(k.batchAxis), x.Dim(k.timeAxis)
	if len(lens) != nb {
		return nil, errShape("ReverseSequence has %d sequence_lens for batch size %d", len(lens), nb)
	}
	for _, l := range lens {
		if l < 0 || l > int64(nt) {
			return nil, errShape("ReverseSequence sequence length %d out of range [0, %d]", l, nt)
		}
	}
	out, err := tensor.Zeros(x.DType(), x.Shape()...)
	if err != nil {
		return nil, err
	}
	inner := tensor.NumElements(x.Shape()[2:])
	st := tensor.Strides(x.Shape())
	kt := shpMustKit(x)
	for b := 0; b < nb; b++ {
		l := int(lens[b])
		for t := 0; t < nt; t++ {
			src := t
			if t < l {
				src = l - 1 - t
			}
			dOff := b*st[k.batchAxis] + t*st[k.timeAxis]
			sOff := b*st[k.batchAxis] + src*st[k.timeAxis]
			kt.copyN(out.Raw(), dOff, x.Raw(), sOff, inner)
		}
	}
	return []*tensor.Tensor{out}, nil
}

// InferShapes: like the input.
func (k *reverseSequenceKernel) InferShapes(in []runtime.Fact) ([]runtime.Fact, error) {
	return sameAsInput(0)(in)
}

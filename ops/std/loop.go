package std

import (
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// Loop: runs its body graph while the iteration count is below the
// optional trip count M and the optional condition holds. The body gets
// (iteration number, condition, loop-carried values...) and returns
// (condition, loop-carried values..., scan-output elements...); the node
// returns the final loop-carried values and the scan outputs, each the
// per-iteration elements stacked along a new first axis. Opset 11 lets
// loop-carried values change shape between iterations (accepted at every
// version here); opset 13 and 16 admit sequences and optionals as
// loop-carried values, which the runtime does not model, so tensors only.
//
// The body's condition output ends the loop even when the cond input is
// omitted (as ONNX Runtime and the ONNX reference evaluator do; the spec's
// table calls it ignored in that case).
//
// A hostile model cannot loop for ever unnoticed: every iteration checks
// the run's context, the iteration count is bounded by the size limit (as
// if each iteration stored an int64), and the scan outputs are checked
// against the size limit as they grow.

func init() {
	register(&runtime.Op{Type: "Loop", Since: 1, Inputs: [2]int{2, runtime.Variadic}, Optional: []int{0, 1}, Outputs: [2]int{1, runtime.Variadic}, Build: buildLoop})
}

type loopKernel struct {
	body  *runtime.Subgraph
	carry int // N: loop-carried values
	scans int // K: scan outputs
}

func buildLoop(b *runtime.BuildContext) (runtime.Kernel, error) {
	body := b.Subgraph("body")
	if err := b.Err(); err != nil {
		return nil, err
	}
	n := b.NumInputs() - 2
	k := b.NumOutputs() - n
	if k < 0 {
		return nil, b.Errorf("Loop has %d loop-carried inputs but only %d outputs", n, b.NumOutputs())
	}
	if len(body.Inputs()) != 2+n {
		return nil, b.Errorf("Loop body takes %d inputs, want 2+%d", len(body.Inputs()), n)
	}
	if len(body.Outputs()) != 1+n+k {
		return nil, b.Errorf("Loop body returns %d outputs, want 1+%d+%d", len(body.Outputs()), n, k)
	}
	return &loopKernel{body: body, carry: n, scans: k}, nil
}

func (k *loopKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	maxTrip, limited := int64(0), false
	if m := in[0]; m != nil {
		if !m.DType().IsInt() || m.Len() != 1 {
			return nil, errDType("Loop trip count must be a single integer, got %v", m)
		}
		v, _ := tensor.Int64s(m)
		maxTrip, limited = v[0], true
	}
	cond := true
	if c := in[1]; c != nil {
		var err error
		if cond, err = loopCond(c); err != nil {
			return nil, err
		}
	}
	carried := make([]*tensor.Tensor, k.carry)
	for i := range carried {
		carried[i] = in[2+i]
		if carried[i] == nil {
			return nil, errShape("Loop loop-carried input %d is missing", i)
		}
	}
	scans := make([][]*tensor.Tensor, k.scans)
	scanLen := make([]int64, k.scans) // elements stacked so far, per output
	formal := make([]*tensor.Tensor, 2+k.carry)
	for it := int64(0); cond && (!limited || it < maxTrip); it++ {
		if err := rc.Err(); err != nil {
			return nil, err
		}
		if err := rc.CheckSize(tensor.Int64, []int{int(min(it+1, 1<<62))}); err != nil {
			return nil, err
		}
		formal[0] = tensor.Scalar(it)
		formal[1] = tensor.Scalar(cond)
		copy(formal[2:], carried)
		out, err := k.body.Run(rc, formal, in)
		if err != nil {
			return nil, err
		}
		if cond, err = loopCond(out[0]); err != nil {
			return nil, err
		}
		copy(carried, out[1:1+k.carry])
		for j := range scans {
			e := out[1+k.carry+j]
			// The stacked output will hold every element so far.
			scanLen[j] += int64(e.Len())
			if err := rc.CheckSize(e.DType(), []int{int(min(scanLen[j], 1<<62))}); err != nil {
				return nil, err
			}
			scans[j] = append(scans[j], e)
		}
	}
	res := append([]*tensor.Tensor{}, carried...)
	outs := k.body.Outputs()
	for j, s := range scans {
		var t *tensor.Tensor
		var err error
		if len(s) == 0 {
			t, err = emptyScanOutput(outs[1+k.carry+j], 0)
		} else {
			t, err = ctrlStackAxis(rc, s, 0, false)
		}
		if err != nil {
			return nil, err
		}
		res = append(res, t)
	}
	return res, nil
}

func loopCond(c *tensor.Tensor) (bool, error) {
	if c.DType() != tensor.Bool || c.Len() != 1 {
		return false, errDType("Loop condition must be a single bool, got %v", c)
	}
	return tensor.Data[bool](c)[0], nil
}

// InferShapes: loop-carried outputs keep their input's dtype (their shape
// may change between iterations); scan outputs take the body's declared
// element dtype.
func (k *loopKernel) InferShapes(in []runtime.Fact) ([]runtime.Fact, error) {
	out := make([]runtime.Fact, k.carry+k.scans)
	for i := 0; i < k.carry; i++ {
		out[i] = runtime.Fact{DType: in[2+i].DType}
	}
	outs := k.body.Outputs()
	for j := 0; j < k.scans; j++ {
		out[k.carry+j] = runtime.Fact{DType: outs[1+k.carry+j].DType}
	}
	return out, nil
}

package std

import (
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// Scan: runs its body once per element of M scan inputs, threading N state
// values through the iterations; the body returns the new states and K
// scan-output elements, which are stacked into the scan outputs.
//
// Opset 8 is batched: every input has a leading batch axis, the scan axis
// is 1, an optional first input sequence_lens gives each batch entry's
// length (scan outputs are padded with zeros to the longest), and
// directions reverses chosen inputs. Opset 9 drops batching and
// sequence_lens and adds scan_input_axes, scan_input_directions,
// scan_output_axes and scan_output_directions; opset 11 allows negative
// axes (accepted from 9 here); opset 16 only added bfloat16.

func init() {
	register(
		&runtime.Op{Type: "Scan", Since: 8, Inputs: [2]int{2, runtime.Variadic}, Optional: []int{0}, Outputs: [2]int{1, runtime.Variadic}, Build: buildScan},
		&runtime.Op{Type: "Scan", Since: 9, Inputs: [2]int{1, runtime.Variadic}, Outputs: [2]int{1, runtime.Variadic}, Build: buildScan},
	)
}

type scanKernel struct {
	body    *runtime.Subgraph
	batched bool // opset 8
	n, m, k int  // states, scan inputs, scan outputs
	inAxes  []int64
	inRev   []bool
	outAxes []int64
	outRev  []bool
}

func buildScan(b *runtime.BuildContext) (runtime.Kernel, error) {
	k := &scanKernel{body: b.Subgraph("body"), batched: b.Version < 9}
	k.m = int(b.RequireInt("num_scan_inputs"))
	if err := b.Err(); err != nil {
		return nil, err
	}
	first := 0
	if k.batched {
		first = 1
	}
	k.n = b.NumInputs() - first - k.m
	k.k = b.NumOutputs() - k.n
	if k.m < 1 || k.n < 0 || k.k < 0 {
		return nil, b.Errorf("Scan with %d inputs, %d outputs and num_scan_inputs %d", b.NumInputs(), b.NumOutputs(), k.m)
	}
	if len(k.body.Inputs()) != k.n+k.m || len(k.body.Outputs()) != k.n+k.k {
		return nil, b.Errorf("Scan body has %d inputs and %d outputs, want %d and %d",
			len(k.body.Inputs()), len(k.body.Outputs()), k.n+k.m, k.n+k.k)
	}
	flags := func(name string, n int) []bool {
		v := b.Ints(name, nil)
		out := make([]bool, n)
		if v == nil {
			return out
		}
		if len(v) != n {
			b.Errorf("%s has %d entries, want %d", name, len(v), n)
			return out
		}
		for i, x := range v {
			if x != 0 && x != 1 {
				b.Errorf("%s[%d] = %d, want 0 or 1", name, i, x)
			}
			out[i] = x == 1
		}
		return out
	}
	axes := func(name string, n int) []int64 {
		v := b.Ints(name, nil)
		if v == nil {
			return make([]int64, n)
		}
		if len(v) != n {
			b.Errorf("%s has %d entries, want %d", name, len(v), n)
		}
		return v
	}
	if k.batched {
		k.inRev = flags("directions", k.m)
	} else {
		k.inRev = flags("scan_input_directions", k.m)
		k.outRev = flags("scan_output_directions", k.k)
		k.inAxes = axes("scan_input_axes", k.m)
		k.outAxes = axes("scan_output_axes", k.k)
	}
	return k, b.Err()
}

func (k *scanKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if k.batched {
		return k.runBatched(rc, in)
	}
	states := append([]*tensor.Tensor{}, in[:k.n]...)
	for i, s := range states {
		if s == nil {
			return nil, errShape("Scan initial state %d is missing", i)
		}
	}
	scanIn := in[k.n : k.n+k.m]
	axes := make([]int, k.m)
	length := -1
	for i, x := range scanIn {
		if x == nil {
			return nil, errShape("Scan input %d is missing", k.n+i)
		}
		ax, err := normAxis(k.inAxes[i], x.Rank())
		if err != nil {
			return nil, err
		}
		axes[i] = ax
		if length >= 0 && x.Dim(ax) != length {
			return nil, errShape("Scan inputs have sequence lengths %d and %d", length, x.Dim(ax))
		}
		length = x.Dim(ax)
	}
	elems, err := k.iterate(rc, states, length, func(i, t int) (*tensor.Tensor, error) {
		pos := t
		if k.inRev[i] {
			pos = length - 1 - t
		}
		return ctrlTakeAxis(scanIn[i], axes[i], pos)
	}, in)
	if err != nil {
		return nil, err
	}
	outs := k.body.Outputs()
	res := states
	for j, e := range elems {
		var t *tensor.Tensor
		if len(e) == 0 {
			t, err = emptyScanOutput(outs[k.n+j], int(k.outAxes[j]))
		} else {
			var ax int
			if ax, err = normAxis(k.outAxes[j], e[0].Rank()+1); err == nil {
				t, err = ctrlStackAxis(rc, e, ax, k.outRev[j])
			}
		}
		if err != nil {
			return nil, err
		}
		res = append(res, t)
	}
	return res, nil
}

// iterate runs the body length times, updating states in place and
// returning the scan-output elements of every iteration. elem(i, t) gives
// scan input i's element for iteration t.
func (k *scanKernel) iterate(rc *runtime.RunContext, states []*tensor.Tensor, length int,
	elem func(i, t int) (*tensor.Tensor, error), nodeIn []*tensor.Tensor) ([][]*tensor.Tensor, error) {
	elems := make([][]*tensor.Tensor, k.k)
	total := make([]int, k.k)
	formal := make([]*tensor.Tensor, k.n+k.m)
	for t := 0; t < length; t++ {
		if err := rc.Err(); err != nil {
			return nil, err
		}
		copy(formal, states)
		for i := 0; i < k.m; i++ {
			e, err := elem(i, t)
			if err != nil {
				return nil, err
			}
			formal[k.n+i] = e
		}
		out, err := k.body.Run(rc, formal, nodeIn)
		if err != nil {
			return nil, err
		}
		for i := range states {
			if !tensor.SameShape(out[i].Shape(), states[i].Shape()) || out[i].DType() != states[i].DType() {
				return nil, errShape("Scan state %d changed from %v to %v", i, states[i], out[i])
			}
		}
		copy(states, out[:k.n])
		for j := range elems {
			e := out[k.n+j]
			total[j] += e.Len()
			if err := rc.CheckSize(e.DType(), []int{total[j]}); err != nil {
				return nil, err
			}
			elems[j] = append(elems[j], e)
		}
	}
	return elems, nil
}

// runBatched is opset 8's Scan: an independent scan per batch entry.
func (k *scanKernel) runBatched(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	init := in[1 : 1+k.n]
	scanIn := in[1+k.n : 1+k.n+k.m]
	batch, maxLen := -1, -1
	for i, x := range append(append([]*tensor.Tensor{}, init...), scanIn...) {
		if x == nil || x.Rank() < 1 || (i >= k.n && x.Rank() < 2) {
			return nil, errShape("Scan-8 input %d must have a batch axis (and a sequence axis for scan inputs), got %v", 1+i, x)
		}
		if batch >= 0 && x.Dim(0) != batch {
			return nil, errShape("Scan-8 inputs have batch sizes %d and %d", batch, x.Dim(0))
		}
		batch = x.Dim(0)
		if i >= k.n {
			if maxLen >= 0 && x.Dim(1) != maxLen {
				return nil, errShape("Scan-8 inputs have sequence lengths %d and %d", maxLen, x.Dim(1))
			}
			maxLen = x.Dim(1)
		}
	}
	var lens []int64
	if sl := in[0]; sl != nil {
		v, err := tensor.Int64s(sl)
		if err != nil {
			return nil, err
		}
		if len(v) != batch {
			return nil, errShape("Scan-8 sequence_lens has %d entries for batch size %d", len(v), batch)
		}
		for _, l := range v {
			if l < 0 || l > int64(maxLen) {
				return nil, errShape("Scan-8 sequence length %d outside [0, %d]", l, maxLen)
			}
		}
		lens = v
	}
	finalStates := make([][]*tensor.Tensor, k.n)
	scanOuts := make([][]*tensor.Tensor, k.k) // per output, per batch: [maxLen, ...]
	perBatch := make([][][]*tensor.Tensor, batch)
	var elemShape = make([][]int, k.k)
	var elemType = make([]tensor.DType, k.k)
	for b := 0; b < batch; b++ {
		states := make([]*tensor.Tensor, k.n)
		for i, s := range init {
			var err error
			if states[i], err = ctrlTakeAxis(s, 0, b); err != nil {
				return nil, err
			}
		}
		seqs := make([]*tensor.Tensor, k.m)
		for i, x := range scanIn {
			var err error
			if seqs[i], err = ctrlTakeAxis(x, 0, b); err != nil {
				return nil, err
			}
		}
		length := maxLen
		if lens != nil {
			length = int(lens[b])
		}
		elems, err := k.iterate(rc, states, length, func(i, t int) (*tensor.Tensor, error) {
			pos := t
			if k.inRev[i] {
				pos = length - 1 - t
			}
			return ctrlTakeAxis(seqs[i], 0, pos)
		}, in)
		if err != nil {
			return nil, err
		}
		for i, s := range states {
			finalStates[i] = append(finalStates[i], s)
		}
		for j, e := range elems {
			if len(e) > 0 && elemShape[j] == nil {
				elemShape[j], elemType[j] = e[0].Shape(), e[0].DType()
			}
		}
		perBatch[b] = elems
	}
	res := make([]*tensor.Tensor, 0, k.n+k.k)
	for i := 0; i < k.n; i++ {
		if batch == 0 {
			res = append(res, init[i])
			continue
		}
		t, err := ctrlStackAxis(rc, finalStates[i], 0, false)
		if err != nil {
			return nil, err
		}
		res = append(res, t)
	}
	outs := k.body.Outputs()
	for j := 0; j < k.k; j++ {
		if elemShape[j] == nil || batch == 0 {
			// No iteration anywhere: all padding, in the body's declared
			// element shape.
			e, err := emptyScanOutput(outs[k.n+j], 0)
			if err != nil {
				return nil, err
			}
			t, err := rc.Alloc(e.DType(), append([]int{batch, maxLen}, e.Shape()[1:]...)...)
			if err != nil {
				return nil, err
			}
			res = append(res, t)
			continue
		}
		for b := 0; b < batch; b++ {
			seq := perBatch[b][j]
			for len(seq) < maxLen {
				pad, err := rc.Alloc(elemType[j], elemShape[j]...)
				if err != nil {
					return nil, err
				}
				seq = append(seq, pad)
			}
			t, err := ctrlStackAxis(rc, seq, 0, false)
			if err != nil {
				return nil, err
			}
			scanOuts[j] = append(scanOuts[j], t)
		}
		t, err := ctrlStackAxis(rc, scanOuts[j], 0, false)
		if err != nil {
			return nil, err
		}
		res = append(res, t)
	}
	return res, nil
}

// InferShapes: final states look like the initial ones (Scan keeps state
// shapes fixed); scan outputs take the body's declared element dtype.
func (k *scanKernel) InferShapes(in []runtime.Fact) ([]runtime.Fact, error) {
	first := 0
	if k.batched {
		first = 1
	}
	out := make([]runtime.Fact, k.n+k.k)
	for i := 0; i < k.n; i++ {
		f := in[first+i]
		f.Value = nil
		out[i] = f
	}
	outs := k.body.Outputs()
	for j := 0; j < k.k; j++ {
		out[k.n+j] = runtime.Fact{DType: outs[k.n+j].DType}
	}
	return out, nil
}

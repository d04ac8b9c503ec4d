package qp

import (
	"fmt"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// The ONNX side of the QP layer: the com.optnet::QP op (docs/qp-op.md),
// registered like any other op. Its kernel turns tensors into a Problem,
// calls the solver, and its backward rule calls Backward with the saved
// Solution.

// Domain is the operator domain of the QP op.
const Domain = "com.optnet"

// Op is the com.optnet::QP (version 1) registration.
var Op = &runtime.Op{
	Domain:  Domain,
	Type:    "QP",
	Since:   1,
	Inputs:  [2]int{2, 6},
	Outputs: [2]int{1, 4},
	Build:   buildOp,
}

// Register adds the QP op to r.
func Register(r *runtime.Registry) error { return r.Register(Op) }

type opKernel struct {
	opts   Options
	solver Solver
	outs   [4]bool // which outputs the node asks for
}

func buildOp(b *runtime.BuildContext) (runtime.Kernel, error) {
	solver, err := solverFor(b.Device())
	if err != nil {
		return nil, err
	}
	k := &opKernel{solver: solver}
	k.opts.Eps = float64(b.Float("eps", 1e-12))
	k.opts.MaxIter = int(b.Int("maxiter", 20))
	k.opts.NotImprovedLimit = int(b.Int("not_improved_limit", 3))
	k.opts.AcceptTol = float64(b.Float("accept_tol", 1e-6))
	switch mode := b.String("on_failure", "error"); mode {
	case "error":
		k.opts.OnFailure = FailError
	case "nan":
		k.opts.OnFailure = FailNaN
	default:
		return nil, b.Errorf("on_failure is %q, want \"error\" or \"nan\"", mode)
	}
	for i := range k.outs {
		k.outs[i] = b.HasOutput(i)
	}
	if k.outs[3] && k.opts.OnFailure != FailNaN {
		return nil, b.Errorf("the status output needs on_failure=\"nan\"")
	}
	if b.HasInput(2) != b.HasInput(3) || b.HasInput(4) != b.HasInput(5) {
		return nil, b.Errorf("G and h (and A and b) must be given together")
	}
	return k, b.Err()
}

// inputSpec describes one QP input: its rank when shared and the bit that
// marks it shared.
var inputSpecs = [6]struct {
	name   string
	matrix bool
	bit    Input
}{
	{"Q", true, InputQ}, {"p", false, InputP}, {"G", true, InputG},
	{"h", false, InputH}, {"A", true, InputA}, {"b", false, InputB},
}

// problem converts the node's tensors to a Problem, checking ranks and
// dims so the solver only ever sees consistent data.
func problem(in []*tensor.Tensor) (*Problem, tensor.DType, error) {
	var x [6]*tensor.Tensor
	copy(x[:], in)
	dt := x[0].DType()
	if dt != tensor.Float32 && dt != tensor.Float64 {
		return nil, dt, fmt.Errorf("%w: QP inputs must be float32 or float64, Q is %v", tensor.ErrDType, dt)
	}
	p := &Problem{}
	batch := 0
	batchFrom := ""
	var vals [6][]float64
	for i, t := range x {
		if t == nil {
			continue
		}
		spec := inputSpecs[i]
		if t.DType() != dt {
			return nil, dt, fmt.Errorf("%w: QP input %s is %v, Q is %v", tensor.ErrDType, spec.name, t.DType(), dt)
		}
		rank := 1
		if spec.matrix {
			rank = 2
		}
		switch t.Rank() {
		case rank:
			p.Shared |= spec.bit
		case rank + 1:
			if batchFrom == "" {
				batch, batchFrom = t.Dim(0), spec.name
			} else if t.Dim(0) != batch {
				return nil, dt, fmt.Errorf("%w: QP input %s has batch size %d, %s has %d", tensor.ErrShape, spec.name, t.Dim(0), batchFrom, batch)
			}
		default:
			return nil, dt, fmt.Errorf("%w: QP input %s has shape %v; want rank %d (shared) or %d (batched)", tensor.ErrShape, spec.name, t.Shape(), rank, rank+1)
		}
		v, err := tensor.Float64s(t)
		if err != nil {
			return nil, dt, err
		}
		vals[i] = v
	}
	dim := func(t *tensor.Tensor, fromEnd int) int { return t.Dim(t.Rank() - fromEnd) }
	n := dim(x[1], 1)
	p.N = n
	if x[2] != nil {
		p.M = dim(x[2], 2)
	}
	if x[4] != nil {
		p.K = dim(x[4], 2)
	}
	checks := []struct {
		t      *tensor.Tensor
		name   string
		tail   []int
		absent bool
	}{
		{x[0], "Q", []int{n, n}, false},
		{x[2], "G", []int{p.M, n}, x[2] == nil},
		{x[3], "h", []int{p.M}, x[3] == nil},
		{x[4], "A", []int{p.K, n}, x[4] == nil},
		{x[5], "b", []int{p.K}, x[5] == nil},
	}
	for _, c := range checks {
		if c.absent {
			continue
		}
		got := c.t.Shape()[c.t.Rank()-len(c.tail):]
		if !tensor.SameShape(got, c.tail) {
			return nil, dt, fmt.Errorf("%w: QP input %s has shape %v; with n=%d, m=%d, k=%d its trailing dims must be %v", tensor.ErrShape, c.name, c.t.Shape(), n, p.M, p.K, c.tail)
		}
	}
	if batch == 0 {
		batch = 1
	}
	p.Batch = batch
	p.Q, p.P, p.G, p.H, p.A, p.B = vals[0], vals[1], vals[2], vals[3], vals[4], vals[5]
	if p.M == 0 {
		p.G, p.H = nil, nil
		p.Shared |= InputG | InputH
	}
	if p.K == 0 {
		p.A, p.B = nil, nil
		p.Shared |= InputA | InputB
	}
	return p, dt, nil
}

func (k *opKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	p, dt, err := problem(in)
	if err != nil {
		return nil, err
	}
	sol, err := k.solver.Solve(rc.Context(), p, k.opts)
	if err != nil && !(k.opts.OnFailure == FailNaN && sol != nil) {
		return nil, err
	}
	if rc.Recording() {
		rc.Save(sol)
	} else {
		// Nothing will call Backward: free what the solver keeps for it
		// (device memory on a GPU) now rather than at garbage collection.
		defer sol.Release()
	}
	out := make([]*tensor.Tensor, 4)
	mk := func(v []float64, cols int) (*tensor.Tensor, error) {
		t, err := tensor.FromSlice([]int{sol.Batch, cols}, v)
		if err != nil {
			return nil, err
		}
		return tensor.Convert(t, dt)
	}
	if out[0], err = mk(sol.Z, sol.N); err != nil {
		return nil, err
	}
	if k.outs[1] {
		if out[1], err = mk(orEmpty(sol.Lam, sol.Batch*sol.M), sol.M); err != nil {
			return nil, err
		}
	}
	if k.outs[2] {
		if out[2], err = mk(orEmpty(sol.Nu, sol.Batch*sol.K), sol.K); err != nil {
			return nil, err
		}
	}
	if k.outs[3] {
		st := make([]int32, sol.Batch)
		for i, e := range sol.Status {
			st[i] = StatusCode(e)
		}
		out[3] = tensor.MustFromSlice([]int{sol.Batch}, st)
	}
	return out, nil
}

func orEmpty(v []float64, n int) []float64 {
	if len(v) == n {
		return v
	}
	return make([]float64, n)
}

// InferShapes gives z (B, n), lam (B, m), nu (B, k) and status (B) where
// the input facts determine them.
func (k *opKernel) InferShapes(in []runtime.Fact) ([]runtime.Fact, error) {
	batch, n, m, kk := -1, -1, 0, 0
	allShapes := true
	batched := false
	for i, f := range in {
		if i >= 6 || f.Absent {
			continue
		}
		if !f.HasShape {
			allShapes = false
			continue
		}
		rank := 1
		if inputSpecs[i].matrix {
			rank = 2
		}
		if len(f.Shape) != rank && len(f.Shape) != rank+1 {
			return nil, fmt.Errorf("%w: QP input %s has shape %v; want rank %d (shared) or %d (batched)", tensor.ErrShape, inputSpecs[i].name, f.Shape, rank, rank+1)
		}
		if len(f.Shape) == rank+1 {
			batched = true
			if f.Shape[0] >= 0 {
				batch = f.Shape[0]
			}
		}
		switch i {
		case 1:
			n = f.Shape[len(f.Shape)-1]
		case 2:
			m = f.Shape[len(f.Shape)-2]
		case 4:
			kk = f.Shape[len(f.Shape)-2]
		}
	}
	if allShapes && !batched {
		batch = 1
	}
	dt := in[0].DType
	return []runtime.Fact{
		{DType: dt, Shape: []int{batch, n}, HasShape: true},
		{DType: dt, Shape: []int{batch, m}, HasShape: true},
		{DType: dt, Shape: []int{batch, kk}, HasShape: true},
		{DType: tensor.Int32, Shape: []int{batch}, HasShape: true},
	}, nil
}

// Backward differentiates z through the KKT conditions (see Backward);
// shared inputs receive the sum over the batch. Gradients flowing into
// the lam and nu outputs are not supported.
func (k *opKernel) Backward(rc *runtime.RunContext, f *runtime.Forward, g []*tensor.Tensor) ([]*tensor.Tensor, error) {
	sol, ok := f.Saved.(*Solution)
	if !ok || sol == nil {
		return nil, fmt.Errorf("%w: QP backward without a recorded solution", runtime.ErrInternal)
	}
	for i := 1; i < len(g); i++ {
		if g[i] != nil {
			return nil, fmt.Errorf("%w: gradients through the QP's multiplier outputs are not supported", runtime.ErrNotDifferentiable)
		}
	}
	grads := make([]*tensor.Tensor, len(f.Inputs))
	if g[0] == nil {
		return grads, nil
	}
	dz, err := tensor.Float64s(g[0])
	if err != nil {
		return nil, err
	}
	gr, err := k.solver.Backward(rc.Context(), sol, dz)
	if err != nil {
		return nil, err
	}
	vals := [6][]float64{gr.Q, gr.P, gr.G, gr.H, gr.A, gr.B}
	if err := checkGrads(sol, dz, vals); err != nil {
		return nil, err
	}
	for i, x := range f.Inputs {
		if i >= 6 || x == nil || !f.NeedGrad[i] {
			continue
		}
		v := vals[i]
		if len(v) != x.Len() {
			v = make([]float64, x.Len()) // m or k is zero: nothing depends on it
		}
		t, err := tensor.FromSlice(x.Shape(), v)
		if err != nil {
			return nil, err
		}
		if grads[i], err = tensor.Convert(t, x.DType()); err != nil {
			return nil, err
		}
	}
	return grads, nil
}

// checkGrads guards every solver's backward: when the forward solved every
// item and the upstream gradient is finite, a non-finite input gradient
// means a singular KKT system somewhere in the batch (the CPU solver names
// the items itself; this catches any solver that does not).
func checkGrads(sol *Solution, dz []float64, vals [6][]float64) error {
	for _, e := range sol.Status {
		if e != nil {
			return nil // failed items are NaN by design (on_failure="nan")
		}
	}
	if !allFinite(dz) {
		return nil
	}
	for i, v := range vals {
		if !allFinite(v) {
			return fmt.Errorf("%w: the gradient of %s is not finite (the KKT system is singular at the solution of some item)", ErrDegenerate, inputSpecs[i].name)
		}
	}
	return nil
}

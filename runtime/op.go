package runtime

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/optnet-go/optnet/runtime/tensor"
)

// Kernel is a built op for one node. It holds only what the node's
// attributes (and constant inputs) determine, never per-run state, so one
// kernel serves concurrent runs.
//
// Run receives one tensor per node input (nil for an omitted optional
// input), followed by the node's implicit inputs (values its subgraphs
// capture from the enclosing scope), and returns one tensor per node output
// (nil allowed for outputs nobody uses). Kernels must not modify their
// inputs; an output may share storage with an input (a reshape view) since
// nobody modifies tensors.
type Kernel interface {
	Run(rc *RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error)
}

// KernelFunc adapts a function to Kernel.
type KernelFunc func(rc *RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error)

// Run calls f.
func (f KernelFunc) Run(rc *RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	return f(rc, in)
}

// ShapeInferrer is implemented by kernels that can predict their outputs'
// dtypes and shapes from their inputs' facts, without values.
type ShapeInferrer interface {
	InferShapes(in []Fact) ([]Fact, error)
}

// Differentiable is implemented by kernels with a backward rule. Backward
// gets the forward record and the gradient of the loss with respect to each
// output (nil where an output does not reach the loss) and returns the
// gradient for each input (nil where f.NeedGrad is false or the input is
// not differentiable). Gradients have their input's shape: a rule reduces
// over broadcast axes itself (tensor helpers do this).
type Differentiable interface {
	Backward(rc *RunContext, f *Forward, gradOut []*tensor.Tensor) ([]*tensor.Tensor, error)
}

// Forward is what a training run keeps of one node's forward pass.
type Forward struct {
	Inputs  []*tensor.Tensor
	Outputs []*tensor.Tensor
	// Saved is whatever the kernel passed to RunContext.Save (a dropout
	// mask, a factorisation).
	Saved any
	// NeedGrad[i] says whether input i needs a gradient.
	NeedGrad []bool
}

// Fact is what compile time knows about a value.
type Fact struct {
	DType tensor.DType // Undefined when unknown
	// Shape holds the dims when HasShape; -1 marks an unknown dim.
	Shape    []int
	HasShape bool
	// Value is the value itself when it is a compile-time constant.
	Value *tensor.Tensor
	// Absent marks an omitted optional input.
	Absent bool
}

// FactOf returns the complete fact for a known tensor.
func FactOf(t *tensor.Tensor) Fact {
	return Fact{DType: t.DType(), Shape: t.Shape(), HasShape: true, Value: t}
}

// Rank returns the rank, or -1 when unknown.
func (f Fact) Rank() int {
	if !f.HasShape {
		return -1
	}
	return len(f.Shape)
}

// Static reports whether every dim is known.
func (f Fact) Static() bool {
	if !f.HasShape {
		return false
	}
	for _, d := range f.Shape {
		if d < 0 {
			return false
		}
	}
	return true
}

// RunContext is the per-run state a kernel may use: cancellation, the
// training flag, a seeded random source, a size limit, and the record slot
// for backward.
type RunContext struct {
	ctx      context.Context
	training bool
	rng      *rand.Rand
	limit    int64  // max bytes for one tensor allocated through Alloc
	saved    *any   // where Save writes for the current node; nil when not recording
	arena    *arena // recycled buffers of an inference run; nil otherwise
	// bufActive: the running step belongs to the arena's plan.
	bufActive bool
	stepDone  func(opType, node string, elapsed time.Duration)
}

// Context returns the run's context. Long kernels should check it.
func (rc *RunContext) Context() context.Context { return rc.ctx }

// Err returns the context's error, if it is done.
func (rc *RunContext) Err() error { return rc.ctx.Err() }

// Training reports whether the run is a training forward pass (Dropout
// drops, BatchNormalization uses batch statistics).
func (rc *RunContext) Training() bool { return rc.training }

// Recording reports whether a backward pass will follow, so Save is kept.
func (rc *RunContext) Recording() bool { return rc.saved != nil }

// Save keeps v for this node's Backward (see Forward.Saved). It does
// nothing unless Recording.
func (rc *RunContext) Save(v any) {
	if rc.saved != nil {
		*rc.saved = v
	}
}

// Rand returns the run's random source (seeded per run by RunOptions.Seed,
// so training with a seed is deterministic).
func (rc *RunContext) Rand() *rand.Rand { return rc.rng }

// Alloc returns a zeroed tensor, refusing with ErrTooLarge when its size
// exceeds the run's limit. Kernels whose output size comes from input
// values (ConstantOfShape, Expand, Tile, Range, ...) allocate through it.
func (rc *RunContext) Alloc(dt tensor.DType, shape ...int) (*tensor.Tensor, error) {
	if err := rc.CheckSize(dt, shape); err != nil {
		return nil, err
	}
	return tensor.Zeros(dt, shape...)
}

// CheckSize returns ErrTooLarge if a tensor of this dtype and shape would
// exceed the run's limit, and a shape error for invalid dims.
func (rc *RunContext) CheckSize(dt tensor.DType, shape []int) error {
	n := tensor.NumElements(shape)
	if n < 0 {
		return fmt.Errorf("invalid shape %v: %w", shape, tensor.ErrShape)
	}
	size := int64(max(dt.Size(), 8)) // strings: count at least a header
	if rc.limit > 0 && int64(n) > rc.limit/size {
		return fmt.Errorf("tensor of %d %v elements exceeds the %d-byte limit: %w", n, dt, rc.limit, ErrTooLarge)
	}
	return nil
}

// defaultRunContext is used for constant folding at compile time.
func newRunContext(ctx context.Context, limit int64, seed uint64) *RunContext {
	return &RunContext{ctx: ctx, limit: limit, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

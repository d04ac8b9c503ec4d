package qp

import "context"

// Solver solves batches of QPs and differentiates through them. The CPU
// solver in this package implements it; other back ends (a CUDA solver)
// implement it too and are checked by the shared suite in package qptest.
type Solver interface {
	// Solve solves every item of the batch.
	Solve(ctx context.Context, p *Problem, opt Options) (*Solution, error)
	// Backward returns the gradients of a scalar loss ℓ with respect to every
	// input given to Solve, from dz = ∂ℓ/∂z (B×n, row-major).
	Backward(ctx context.Context, s *Solution, dz []float64) (*Grads, error)
}

// Solution is the result of Solve. Flat arrays are row-major with a leading
// batch dimension.
type Solution struct {
	// Batch, N, M and K are the problem's dimensions.
	Batch, N, M, K int
	// Z (B×n) is the minimiser, Lam (B×m) the inequality multipliers,
	// Nu (B×k) the equality multipliers and S (B×m) the slacks h − Gz.
	Z, Lam, Nu, S []float64
	// Iterations holds, per item, the number of interior-point steps taken.
	Iterations []int
	// Status holds, per item, nil on success or the reason of the failure
	// (only with FailNaN; with FailError a failed solve returns no Solution).
	Status []error
	// Problem is the problem that was solved.
	Problem *Problem
	// Factors is solver-private data that Backward reuses (for the CPU solver,
	// the factorisations that do not depend on the iterate). Callers must not
	// touch it.
	Factors any
}

// Grads holds the gradients of a loss with respect to the inputs, shaped like
// the inputs: for a shared input the gradient is the sum over the batch of
// the per-item gradients. G and H are nil when M is 0, A and B when K is 0.
type Grads struct {
	Q, P, G, H, A, B []float64
}

// CPU is the pure-Go solver. Its zero value is ready to use.
type CPU struct{}

var _ Solver = CPU{}

// Solve solves the batch with the CPU solver; see [Solve].
func (CPU) Solve(ctx context.Context, p *Problem, opt Options) (*Solution, error) {
	return solve(ctx, p, opt.withDefaults())
}

// Backward differentiates with the CPU solver; see [Backward].
func (CPU) Backward(ctx context.Context, s *Solution, dz []float64) (*Grads, error) {
	return backward(ctx, s, dz)
}

// Solve solves every QP of the batch p with a primal-dual interior-point
// method (Mehrotra predictor-corrector) on the CPU, spreading items over
// opt.Workers goroutines.
//
// It returns an error wrapping ErrShape for inconsistent inputs, ctx.Err()
// when ctx is cancelled, and a *SolveError naming the failed items
// otherwise. With FailNaN the Solution is returned along with the
// *SolveError.
func Solve(ctx context.Context, p *Problem, opt Options) (*Solution, error) {
	return CPU{}.Solve(ctx, p, opt)
}

// Backward computes the gradients of a loss ℓ with respect to the inputs of
// the solved problem, given dz = ∂ℓ/∂z (B×n), by implicit differentiation
// of the optimality (KKT) conditions at the solution. It reuses the
// factorisations kept in s. Items that failed (with FailNaN) get NaN
// gradients.
func Backward(ctx context.Context, s *Solution, dz []float64) (*Grads, error) {
	return CPU{}.Backward(ctx, s, dz)
}

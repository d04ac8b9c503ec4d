// Package qp solves batches of convex quadratic programs and differentiates
// through their solutions: the OptNet layer (Amos & Kolter, ICML 2017) behind
// the ONNX custom op com.optnet.QP, whose contract is docs/qp-op.md.
//
// Each batch item is
//
//	minimise ½ zᵀQz + pᵀz  subject to  Gz ≤ h,  Az = b.
//
// [Solve] runs a primal-dual interior-point method (Mehrotra
// predictor-corrector) on every item, spreading items over the available
// cores; [Backward] turns ∂ℓ/∂z into gradients for Q, p, G, h, A and b by
// implicit differentiation of the optimality conditions, reusing the
// factorisations that Solve kept in the [Solution].
//
// Inputs are flat row-major float64 slices, either one array per item or,
// when marked in [Problem.Shared], one array for the whole batch; a shared
// input's gradient is the sum over the batch. Failures are reported per item
// with a [*SolveError] whose reasons wrap [ErrInfeasible], [ErrNotConvex],
// [ErrRankDeficient], [ErrNonFinite] or [ErrNotConverged]; inconsistent
// shapes give [ErrShape]. Q may be only positive semidefinite as long as the
// problem is strictly convex on its constraints.
//
// [Solver] is the interface every back end implements (this package's
// [CPU], a GPU solver elsewhere); package qptest holds the parity suite
// they all must pass.
package qp

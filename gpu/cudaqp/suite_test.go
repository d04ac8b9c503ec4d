package cudaqp

import (
	"testing"

	"github.com/optnet-go/optnet/ops/qp/qptest"
)

// TestSuite runs the shared parity suite of ops/qp/qptest (reference cases
// against qpth and cvxopt, total variation, planted solutions, finite
// differences, errors) against the CUDA solver.
func TestSuite(t *testing.T) {
	s := newSolver(t)
	t.Logf("%s: %s", backendNote, s.Device())
	if emulated() {
		// Two warps per block keep the emulation's fiber switches down
		// (the suite's n = 100 cases would get four) while still crossing
		// warps in every reduction; TestBlockSizes covers the others.
		s.threads = 64
	}
	qptest.RunSolverSuite(t, s)
}

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
	qptest.RunSolverSuite(t, s)
}

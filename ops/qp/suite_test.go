package qp_test

import (
	"testing"

	"github.com/optnet-go/optnet/internal/linalg"
	"github.com/optnet-go/optnet/ops/qp"
	"github.com/optnet-go/optnet/ops/qp/qptest"
)

// TestCPUSolver runs the parity suite against the CPU solver, with the
// vector kernels (when this machine has them) and with the portable ones.
func TestCPUSolver(t *testing.T) {
	for _, accel := range []bool{true, false} {
		prev := linalg.SetAccelerated(accel)
		if accel && !linalg.Accelerated() {
			linalg.SetAccelerated(prev)
			t.Log("no vector kernels on this machine")
			continue
		}
		name := map[bool]string{true: "vector", false: "portable"}[accel]
		t.Run(name, func(t *testing.T) { qptest.RunSolverSuite(t, qp.CPU{}) })
		linalg.SetAccelerated(prev)
	}
}

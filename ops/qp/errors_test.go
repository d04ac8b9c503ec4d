package qp_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/optnet-go/optnet/ops/qp"
)

func TestSolveErrorMessage(t *testing.T) {
	err := error(&qp.SolveError{Items: []qp.ItemError{
		{Item: 3, Reason: fmt.Errorf("%w (certificate)", qp.ErrInfeasible)},
		{Item: 5, Reason: fmt.Errorf("%w: residual 1e-3", qp.ErrNotConverged)},
		{Item: 17, Reason: qp.ErrInfeasible},
	}})
	msg := err.Error()
	for _, want := range []string{"items 3, 17: infeasible constraints", "item 5: did not converge: residual 1e-3"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}
	if !errors.Is(err, qp.ErrInfeasible) || !errors.Is(err, qp.ErrNotConverged) || errors.Is(err, qp.ErrNotConvex) {
		t.Errorf("errors.Is does not see exactly the items' reasons in %q", msg)
	}
	var se *qp.SolveError
	if !errors.As(err, &se) || len(se.Items) != 3 {
		t.Errorf("errors.As: %v", se)
	}
}

func TestStatusCode(t *testing.T) {
	for _, c := range []struct {
		err  error
		want int32
	}{
		{nil, 0},
		{fmt.Errorf("%w in p", qp.ErrNonFinite), 1},
		{fmt.Errorf("%w: Q", qp.ErrNotConvex), 2},
		{qp.ErrInfeasible, 3},
		{qp.ErrRankDeficient, 4},
		{qp.ErrNotConverged, 5},
		{errors.New("other"), 5},
	} {
		if got := qp.StatusCode(c.err); got != c.want {
			t.Errorf("StatusCode(%v) = %d, want %d", c.err, got, c.want)
		}
	}
}

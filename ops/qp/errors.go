package qp

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Sentinel reasons for a failed solve. A [SolveError] lists the batch items
// that failed, each with a reason that wraps one of these, so that
// errors.Is(err, ErrInfeasible) reports whether any item was infeasible.
var (
	// ErrShape reports inputs whose sizes disagree with the declared
	// dimensions or with each other. It is returned on its own (wrapped with
	// details), not inside a SolveError, since it concerns the whole call.
	ErrShape = errors.New("qp: inconsistent shapes")
	// ErrNonFinite reports a NaN or ±Inf in the data of an item.
	ErrNonFinite = errors.New("non-finite input")
	// ErrNotConvex reports an item whose objective is not convex (Q is not
	// positive semidefinite) or not strictly convex on the constraint set, so
	// that the minimiser is not unique.
	ErrNotConvex = errors.New("problem is not (strictly) convex")
	// ErrInfeasible reports an item whose constraints admit no point; the
	// solver found an approximate Farkas certificate.
	ErrInfeasible = errors.New("infeasible constraints")
	// ErrRankDeficient reports an item whose equality constraints are
	// linearly dependent (A lacks full row rank), so that the multipliers ν
	// are not unique.
	ErrRankDeficient = errors.New("linearly dependent equality constraints")
	// ErrDegenerate reports, from Backward, an item whose KKT system at the
	// solution is singular (e.g. a feasible set reduced to one point, or a
	// constraint exactly at the boundary of being active): the gradients
	// are not defined there, so none are returned.
	ErrDegenerate = errors.New("degenerate solution: gradients are not defined")
	// ErrNotConverged reports an item whose best iterate does not satisfy the
	// optimality conditions to the acceptance tolerance.
	ErrNotConverged = errors.New("did not converge")
)

// ItemError is the failure of one batch item.
type ItemError struct {
	Item   int   // index in the batch
	Reason error // wraps one of the sentinel errors
}

// Error implements error.
func (e ItemError) Error() string { return fmt.Sprintf("qp: item %d: %v", e.Item, e.Reason) }

// Unwrap returns the reason.
func (e ItemError) Unwrap() error { return e.Reason }

// SolveError is returned when some batch items could not be solved. Items is
// sorted by item index.
type SolveError struct {
	Items []ItemError
}

// Error lists the failed items grouped by sentinel reason, e.g.
// "qp: items 3, 17: infeasible constraints; item 5: did not converge (...)".
func (e *SolveError) Error() string {
	type group struct {
		key    error
		items  []int
		detail string
	}
	var groups []*group
	for _, it := range e.Items {
		key := sentinelOf(it.Reason)
		var g *group
		for _, x := range groups {
			if x.key == key {
				g = x
				break
			}
		}
		if g == nil {
			g = &group{key: key, detail: it.Reason.Error()}
			groups = append(groups, g)
		}
		g.items = append(g.items, it.Item)
	}
	var sb strings.Builder
	sb.WriteString("qp: ")
	for gi, g := range groups {
		if gi > 0 {
			sb.WriteString("; ")
		}
		if len(g.items) == 1 {
			sb.WriteString("item ")
		} else {
			sb.WriteString("items ")
		}
		const show = 20
		for i, it := range g.items {
			if i == show {
				fmt.Fprintf(&sb, " and %d more", len(g.items)-show)
				break
			}
			if i > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString(strconv.Itoa(it))
		}
		sb.WriteString(": ")
		if len(g.items) == 1 {
			sb.WriteString(g.detail)
		} else {
			sb.WriteString(g.key.Error())
		}
	}
	return sb.String()
}

// Unwrap returns the reasons of all failed items, so that errors.Is and
// errors.As look through them.
func (e *SolveError) Unwrap() []error {
	errs := make([]error, len(e.Items))
	for i, it := range e.Items {
		errs[i] = it.Reason
	}
	return errs
}

var sentinels = []error{ErrNonFinite, ErrNotConvex, ErrInfeasible, ErrRankDeficient, ErrDegenerate, ErrNotConverged}

// sentinelOf returns the sentinel that err wraps, or err itself.
func sentinelOf(err error) error {
	for _, s := range sentinels {
		if errors.Is(err, s) {
			return s
		}
	}
	return err
}

// StatusCode maps an item's status (an entry of Solution.Status) to the
// code of the ONNX op's status output: 0 solved, 1 non-finite input, 2 not
// convex, 3 infeasible, 4 linearly dependent equalities, 5 not converged or
// any other failure.
func StatusCode(err error) int32 {
	switch {
	case err == nil:
		return StatusSolved
	case errors.Is(err, ErrNonFinite):
		return StatusNonFinite
	case errors.Is(err, ErrNotConvex):
		return StatusNotConvex
	case errors.Is(err, ErrInfeasible):
		return StatusInfeasible
	case errors.Is(err, ErrRankDeficient):
		return StatusRankDeficient
	default:
		return StatusNotConverged
	}
}

// Codes of the op's status output, as returned by StatusCode.
const (
	StatusSolved int32 = iota
	StatusNonFinite
	StatusNotConvex
	StatusInfeasible
	StatusRankDeficient
	StatusNotConverged
)

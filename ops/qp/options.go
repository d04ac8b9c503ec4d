package qp

import "runtime"

// FailureMode selects what Solve does with items it cannot solve.
type FailureMode uint8

const (
	// FailError makes Solve return a *SolveError (and a nil Solution) when
	// any item fails.
	FailError FailureMode = iota
	// FailNaN makes Solve return a Solution in which the rows of failed items
	// are NaN and Solution.Status records why, together with a *SolveError;
	// the other items are solved normally.
	FailNaN
)

// Options tunes Solve. The zero value selects the defaults documented on
// each field (which are the ONNX attribute defaults).
type Options struct {
	// Eps is the stopping tolerance on the residual score
	// ‖rx‖₂ + ‖rz‖₂ + ‖ry‖₂ + sᵀλ. Default 1e-12.
	Eps float64
	// MaxIter is the maximum number of interior-point steps. Default 20.
	MaxIter int
	// NotImprovedLimit stops an item after this many consecutive steps that
	// did not improve its best score, provided its best iterate passes the
	// acceptance check (else the count restarts). Default 3.
	NotImprovedLimit int
	// AcceptTol is the relative tolerance of the final optimality check that
	// decides success. Default 1e-6.
	AcceptTol float64
	// OnFailure selects the failure behaviour. Default FailError.
	OnFailure FailureMode
	// Workers is the number of goroutines that share the batch. Default
	// runtime.GOMAXPROCS(0).
	Workers int
}

func (o Options) withDefaults() Options {
	if o.Eps <= 0 {
		o.Eps = 1e-12
	}
	if o.MaxIter <= 0 {
		o.MaxIter = 20
	}
	if o.NotImprovedLimit <= 0 {
		o.NotImprovedLimit = 3
	}
	if o.AcceptTol <= 0 {
		o.AcceptTol = 1e-6
	}
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	return o
}

package qp

// SetForcePath forces the dual (1) or primal (2) reduction, or lets the
// solver choose (0), and returns the previous setting.
func SetForcePath(p int) int {
	prev := forcePath
	forcePath = p
	return prev
}

// SetNoBand disables (true) or enables the band form of the primal path and
// returns the previous setting.
func SetNoBand(off bool) bool {
	prev := noBand
	noBand = off
	return prev
}

// SetNoAug makes the backward use the Schur complement instead of the
// augmented band system (true) or lets it choose, and returns the previous
// setting.
func SetNoAug(off bool) bool {
	prev := noAug
	noAug = off
	return prev
}

// AugCount returns how many factorisations have used the augmented band
// system so far.
func AugCount() int64 { return augCount.Load() }

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

package linalg

// accel reports whether the assembly kernels are in use. It starts as
// haveAccel (the CPU can run them) and is changed only by SetAccelerated.
var accel = haveAccel

// Accelerated reports whether the vector (assembly) kernels are in use.
func Accelerated() bool { return accel }

// SetAccelerated turns the vector kernels on or off and returns the previous
// setting. Turning them on has no effect on CPUs (or architectures) that
// cannot run them. It exists so that tests can run every kernel through both
// the vector and the portable path; it must not be called while other
// goroutines are using the package.
func SetAccelerated(on bool) (previous bool) {
	previous = accel
	accel = on && haveAccel
	return previous
}

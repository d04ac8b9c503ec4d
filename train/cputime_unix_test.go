//go:build unix

package train

import "syscall"

// cpuNanos returns the CPU time (user + system) this process has used.
// The benchmarks report it per step beside wall time: on a shared machine
// it is the steadier of the two for single-threaded runs.
func cpuNanos() int64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

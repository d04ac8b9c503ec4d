//go:build unix

package std

import "syscall"

// nnCPUNanos returns the CPU time (user + system) this process has used.
// The dense-op benchmarks report it per op beside wall time: on a shared
// machine it is the steadier of the two.
func nnCPUNanos() int64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

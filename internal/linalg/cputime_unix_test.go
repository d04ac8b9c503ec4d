//go:build unix

package linalg

import "syscall"

// cpuNanos returns the CPU time this process has used; benchmarks report it
// per op because wall time is unreliable on a shared machine.
func cpuNanos() int64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

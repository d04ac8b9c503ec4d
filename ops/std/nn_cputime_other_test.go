//go:build !unix

package std

// nnCPUNanos is not measured on this platform.
func nnCPUNanos() int64 { return 0 }

//go:build !unix

package linalg

func cpuNanos() int64 { return 0 }

//go:build !unix

package qp_test

func cpuNanos() int64 { return 0 }

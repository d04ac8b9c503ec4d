//go:build !unix

package train

func cpuNanos() int64 { return 0 }

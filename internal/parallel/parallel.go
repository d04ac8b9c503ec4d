// Package parallel splits loops over the machine's cores. All parallel work
// in the process (the GEMM kernels, convolutions, elementwise ops) runs on
// one set of persistent helper goroutines (pool.go), so a parallel loop
// costs no goroutine start or wake-up in steady state.
package parallel

import (
	"runtime"
)

// Workers returns how many goroutines For uses at most.
func Workers() int { return runtime.GOMAXPROCS(0) }

// For calls fn on disjoint chunks [lo, hi) covering [0, n), one chunk per
// worker. It runs inline when n is below 2*grain or only one worker is
// available, so small loops pay nothing. fn must be safe to call
// concurrently on disjoint ranges. A panic in any chunk is re-raised in the
// caller's goroutine after all chunks finish, so the runtime's per-op
// recovery still catches it. A For inside another parallel loop runs
// serially on its caller.
func For(n, grain int, fn func(lo, hi int)) {
	if n <= 0 {
		return
	}
	if grain < 1 {
		grain = 1
	}
	w := Workers()
	if w > n/grain {
		w = n / grain
	}
	if w <= 1 {
		fn(0, n)
		return
	}
	chunk := (n + w - 1) / w
	chunks := (n + chunk - 1) / chunk
	ForEach(chunks, func(i int) { fn(i*chunk, min((i+1)*chunk, n)) })
}

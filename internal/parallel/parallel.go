// Package parallel splits loops over the machine's cores.
package parallel

import (
	"runtime"
	"sync"
)

// Workers returns how many goroutines For uses at most.
func Workers() int { return runtime.GOMAXPROCS(0) }

// For calls fn on disjoint chunks [lo, hi) covering [0, n). It runs inline
// when n is below 2*grain or only one worker is available, so small loops pay
// no goroutine cost. fn must be safe to call concurrently on disjoint ranges.
// A panic in any chunk is re-raised in the caller's goroutine after all
// chunks finish, so the runtime's per-op recovery still catches it.
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
	var wg sync.WaitGroup
	var once sync.Once
	var panicked any
	for lo := chunk; lo < n; lo += chunk {
		hi := min(lo+chunk, n)
		wg.Add(1)
		go func(lo, hi int) {
			defer wg.Done()
			defer func() {
				if r := recover(); r != nil {
					once.Do(func() { panicked = r })
				}
			}()
			fn(lo, hi)
		}(lo, hi)
	}
	func() {
		defer func() {
			if r := recover(); r != nil {
				once.Do(func() { panicked = r })
			}
		}()
		fn(0, min(chunk, n))
	}()
	wg.Wait()
	if panicked != nil {
		panic(panicked)
	}
}

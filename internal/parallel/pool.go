package parallel

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// Run executes t on the calling goroutine and on up to workers-1 of the
// process's persistent helper goroutines, and returns once every
// participant has returned from t.Work. If the helpers are busy with
// another job (a nested or concurrent call) the caller does all the work.
func Run(t Task, workers int) { helpers.run(t, workers) }

// Parallel work runs on the calling goroutine plus helper goroutines that
// live for the life of the process. Waking a parked goroutine takes tens of
// microseconds (around 100 µs on virtual machines), as long as a whole
// medium-sized product, so after finishing a job a helper keeps polling for
// the next one for spinTime before it parks. Work is handed out in chunks
// claimed from atomic counters, so a helper that arrives late only takes
// fewer chunks and never delays the caller by more than one chunk.

// spinTime is how long an idle helper polls for work before parking.
const spinTime = 200 * time.Microsecond

// waitSpin is how long a caller that has run out of chunks polls for the
// helpers still working before it blocks. A helper still busy after that
// has most likely lost its CPU to another process (a loaded machine), and
// polling would only keep the CPU from the threads that need it.
const waitSpin = 30 * time.Microsecond

// Task is work shared by the participants of a job: Work is called once by
// every goroutine that joins and returns when the task is complete. Work
// must not panic (wrap the body in a recover, as ForEach does): a panic on
// a helper goroutine would end the process.
type Task interface{ Work() }

type job struct {
	t        Task
	slots    atomic.Int32 // helpers that may still join
	active   atomic.Int32 // helpers inside t.work
	finished atomic.Bool  // the caller is done; no one may join
	blocked  atomic.Bool  // the caller waits on done
	done     chan struct{}
}

func (j *job) join() bool {
	if j.slots.Add(-1) < 0 {
		return false
	}
	j.active.Add(1)
	if j.finished.Load() {
		j.leave()
		return false
	}
	return true
}

// leave marks a helper out of t.work, waking a blocked caller when it was
// the last one.
func (j *job) leave() {
	if j.active.Add(-1) == 0 && j.blocked.Load() {
		select {
		case j.done <- struct{}{}:
		default:
		}
	}
}

// wait returns once no helper is inside t.work: it polls for waitSpin,
// then blocks until the last helper leaves.
func (j *job) wait() {
	deadline := time.Now().Add(waitSpin)
	for j.active.Load() != 0 {
		if time.Now().After(deadline) {
			j.blocked.Store(true)
			if j.active.Load() != 0 {
				<-j.done
			}
			return
		}
		runtime.Gosched()
	}
}

type helperPool struct {
	mu       sync.Mutex
	started  atomic.Int32
	current  atomic.Pointer[job]
	sleeping atomic.Int32
	wake     chan struct{}
}

var helpers = helperPool{wake: make(chan struct{}, 256)}

// run executes t on the calling goroutine and on up to workers-1 helpers and
// returns once every participant has returned from t.work. If the helpers
// are busy with another job the caller does all the work itself.
func (h *helperPool) run(t Task, workers int) {
	n := min(workers-1, cap(h.wake))
	if n <= 0 {
		t.Work()
		return
	}
	h.start(n)
	j := &job{t: t, done: make(chan struct{}, 1)}
	j.slots.Store(int32(n))
	if !h.current.CompareAndSwap(nil, j) {
		t.Work()
		return
	}
	for range min(n, int(h.sleeping.Load())) {
		select {
		case h.wake <- struct{}{}:
		default:
		}
	}
	t.Work()
	j.finished.Store(true)
	h.current.CompareAndSwap(j, nil)
	j.wait()
}

// start makes sure at least n helpers exist.
func (h *helperPool) start(n int) {
	if int(h.started.Load()) >= n {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for int(h.started.Load()) < n {
		h.started.Add(1)
		go h.loop()
	}
}

func (h *helperPool) loop() {
	idle := time.Now()
	for {
		if j := h.current.Load(); j != nil && j.join() {
			j.t.Work()
			j.leave()
			idle = time.Now()
			continue
		}
		if time.Since(idle) < spinTime {
			runtime.Gosched()
			continue
		}
		h.sleeping.Add(1)
		if j := h.current.Load(); j != nil && j.slots.Load() > 0 && !j.finished.Load() {
			h.sleeping.Add(-1)
			continue
		}
		<-h.wake
		h.sleeping.Add(-1)
		idle = time.Now()
	}
}

// ForEach calls fn(i) for every i in [0, n) on the calling goroutine and up
// to GOMAXPROCS-1 of the persistent helpers, which claim indices
// one at a time, and returns when every call has returned. It suits a few
// to a few hundred chunks of work of at least tens of microseconds each
// (the tiles of a convolution): the helpers are already running or spinning
// after earlier products, so no goroutine is started or woken per call in
// steady state. A panic in fn is re-raised in the caller once the others
// have finished. fn must not call ForEach itself (a nested call runs
// serially).
func ForEach(n int, fn func(i int)) {
	if n <= 0 {
		return
	}
	t := &forTask{n: n, fn: fn}
	workers := min(Workers(), n)
	if workers <= 1 {
		t.Work()
	} else {
		helpers.run(t, workers)
	}
	if p := t.panicked.Load(); p != nil {
		panic(*p)
	}
}

type forTask struct {
	n        int
	fn       func(int)
	next     atomic.Int64
	panicked atomic.Pointer[any]
}

func (t *forTask) Work() {
	defer func() {
		if r := recover(); r != nil {
			t.panicked.CompareAndSwap(nil, &r)
		}
	}()
	for {
		i := int(t.next.Add(1)) - 1
		if i >= t.n {
			return
		}
		t.fn(i)
	}
}

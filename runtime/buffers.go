package runtime

import (
	"reflect"
	"sync"

	"github.com/optnet-go/optnet/runtime/tensor"
)

// Recycled tensor storage. A CNN allocates its activations afresh on every
// run — tens of megabytes that Go must zero and the garbage collector must
// then find — although each run needs the same sizes as the last. Kernels
// whose output overwrites every element ask RunContext.Buffer for it; the
// top-level plan of an inference run tracks which live values use each
// buffer it handed out, and when the last of them is released (the value's
// last use, computed at compile time) the buffer returns to the model's
// pool, for later steps of the same run or for other runs. A buffer that is
// part of a graph output, or that never became a value of the top-level
// plan (a temporary, a subgraph's value), is left to the garbage collector,
// so whatever the caller receives is never reused.
//
// Views are handled: a value is counted against the buffer its storage
// lies in, so a Reshape or Identity of a pooled tensor keeps the buffer
// alive until the view is released too.

// bufferPool holds free buffers of one model, by dtype and length.
type bufferPool struct {
	mu    sync.Mutex
	pools map[bufKey]*sync.Pool
}

type bufKey struct {
	dt tensor.DType
	n  int
}

func (bp *bufferPool) pool(k bufKey) *sync.Pool {
	bp.mu.Lock()
	defer bp.mu.Unlock()
	if bp.pools == nil {
		bp.pools = map[bufKey]*sync.Pool{}
	}
	p := bp.pools[k]
	if p == nil {
		p = new(sync.Pool)
		bp.pools[k] = p
	}
	return p
}

// pooledData is what the pools hold (a pointer, so Put does not allocate).
type pooledData struct{ data any }

// arena is one inference run's view of the pool: the buffers it handed out
// that may still come back.
type arena struct {
	pool *bufferPool
	plan *plan // the plan whose steps register and release values
	mu   sync.Mutex
	bufs []arenaBuf
}

type arenaBuf struct {
	lo, hi uintptr // the storage's address range
	key    bufKey
	data   *pooledData
	refs   int // live values of the plan stored in this buffer
}

// get returns storage for n elements of dt, recycled when possible.
func (a *arena) get(dt tensor.DType, n int) any {
	k := bufKey{dt, n}
	p := a.pool.pool(k)
	pd, _ := p.Get().(*pooledData)
	if pd == nil {
		switch dt {
		case tensor.Float32:
			pd = &pooledData{data: make([]float32, n)}
		case tensor.Float64:
			pd = &pooledData{data: make([]float64, n)}
		}
	}
	lo, hi := storageRange(pd.data)
	a.mu.Lock()
	a.bufs = append(a.bufs, arenaBuf{lo: lo, hi: hi, key: k, data: pd})
	a.mu.Unlock()
	return pd.data
}

// find returns the index of the outstanding buffer holding t's storage.
func (a *arena) find(t *tensor.Tensor) int {
	if t == nil || len(a.bufs) == 0 {
		return -1
	}
	lo, _ := storageRange(t.Raw())
	if lo == 0 {
		return -1
	}
	for i := range a.bufs {
		if b := &a.bufs[i]; lo >= b.lo && lo < b.hi {
			return i
		}
	}
	return -1
}

// hold counts a new value of the plan stored in t.
func (a *arena) hold(t *tensor.Tensor) {
	a.mu.Lock()
	if i := a.find(t); i >= 0 {
		a.bufs[i].refs++
	}
	a.mu.Unlock()
}

// release drops a value of the plan; the last one returns its buffer.
func (a *arena) release(t *tensor.Tensor) {
	a.mu.Lock()
	defer a.mu.Unlock()
	i := a.find(t)
	if i < 0 {
		return
	}
	b := &a.bufs[i]
	if b.refs--; b.refs > 0 {
		return
	}
	a.pool.pool(b.key).Put(b.data)
	a.bufs[i] = a.bufs[len(a.bufs)-1]
	a.bufs = a.bufs[:len(a.bufs)-1]
}

// storageRange returns the address range of a slice's elements (0, 0 for
// an empty one).
func storageRange(data any) (lo, hi uintptr) {
	v := reflect.ValueOf(data)
	if v.Kind() != reflect.Slice || v.Len() == 0 {
		return 0, 0
	}
	lo = v.Pointer()
	return lo, lo + uintptr(v.Len())*v.Type().Elem().Size()
}

// Buffer returns a tensor whose contents are undefined — recycled storage
// for a step of the top-level graph in an inference run of a compiled
// model, fresh zeroed storage otherwise (subgraphs, training, eager and
// compile-time runs) —
// refusing with ErrTooLarge like Alloc. A kernel may use it for an output
// whose every element it writes; it must not keep the tensor after
// returning it.
func (rc *RunContext) Buffer(dt tensor.DType, shape ...int) (*tensor.Tensor, error) {
	if err := rc.CheckSize(dt, shape); err != nil {
		return nil, err
	}
	n := tensor.NumElements(shape)
	if rc.arena == nil || !rc.bufActive || n == 0 || (dt != tensor.Float32 && dt != tensor.Float64) {
		return tensor.Zeros(dt, shape...)
	}
	return tensor.FromAny(shape, rc.arena.get(dt, n))
}

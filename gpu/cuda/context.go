package cuda

import (
	"fmt"
	"runtime"
	"sync"
	"unsafe"
)

// Context is a device's primary context. Its methods other than Do and
// Release must be called inside Do (they use the calling thread's current
// context).
type Context struct {
	drv *Driver
	dev Device
	h   uintptr

	mu       sync.Mutex
	released bool
}

// PrimaryContext retains the device's primary context (the one the CUDA
// runtime would use too). Release it when done.
func (dev Device) PrimaryContext() (*Context, error) {
	var h uintptr
	if err := dev.drv.check("cuDevicePrimaryCtxRetain", dev.drv.f.cuDevicePrimaryCtxRetain(&h, dev.h)); err != nil {
		return nil, err
	}
	return &Context{drv: dev.drv, dev: dev, h: h}, nil
}

// Device returns the context's device.
func (c *Context) Device() Device { return c.dev }

// Driver returns the driver the context belongs to.
func (c *Context) Driver() *Driver { return c.drv }

// Do runs fn with the context current on a locked OS thread. Calls are
// serialised: one goroutine at a time drives the device through a Context.
func (c *Context) Do(fn func() error) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.released {
		return fmt.Errorf("cuda: context used after Release")
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if err := c.drv.check("cuCtxSetCurrent", c.drv.f.cuCtxSetCurrent(c.h)); err != nil {
		return err
	}
	return fn()
}

// Release releases the primary context. Device memory allocated in it must
// have been freed.
func (c *Context) Release() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.released {
		return nil
	}
	c.released = true
	return c.drv.check("cuDevicePrimaryCtxRelease", c.drv.f.cuDevicePrimaryCtxRelease(c.dev.h))
}

// Synchronize waits for all work in the context.
func (c *Context) Synchronize() error {
	return c.drv.check("cuCtxSynchronize", c.drv.f.cuCtxSynchronize())
}

// MemInfo returns the free and total device memory in bytes.
func (c *Context) MemInfo() (free, total uint64, err error) {
	err = c.drv.check("cuMemGetInfo", c.drv.f.cuMemGetInfo(&free, &total))
	return free, total, err
}

// DevicePtr is a device address (CUdeviceptr). Zero is the null pointer.
type DevicePtr uint64

// Add returns p advanced by off bytes.
func (p DevicePtr) Add(off int) DevicePtr { return p + DevicePtr(off) }

// Alloc allocates device memory. A zero size gives a null pointer.
func (c *Context) Alloc(bytes int) (DevicePtr, error) {
	if bytes <= 0 {
		return 0, nil
	}
	var p uint64
	if err := c.drv.check("cuMemAlloc", c.drv.f.cuMemAlloc(&p, uint64(bytes))); err != nil {
		return 0, fmt.Errorf("%w (%d bytes)", err, bytes)
	}
	return DevicePtr(p), nil
}

// Free frees device memory; freeing the null pointer does nothing.
func (c *Context) Free(p DevicePtr) error {
	if p == 0 {
		return nil
	}
	return c.drv.check("cuMemFree", c.drv.f.cuMemFree(uint64(p)))
}

// Stream is a CUDA stream. The zero Stream is the legacy default stream.
type Stream struct {
	c *Context
	h uintptr
}

// NewStream creates a stream that does not synchronise with the default
// stream.
func (c *Context) NewStream() (*Stream, error) {
	var h uintptr
	if err := c.drv.check("cuStreamCreate", c.drv.f.cuStreamCreate(&h, 1)); err != nil {
		return nil, err
	}
	return &Stream{c: c, h: h}, nil
}

// Destroy destroys the stream.
func (s *Stream) Destroy() error {
	if s == nil || s.h == 0 {
		return nil
	}
	h := s.h
	s.h = 0
	return s.c.drv.check("cuStreamDestroy", s.c.drv.f.cuStreamDestroy(h))
}

// Synchronize waits for the work queued on the stream.
func (s *Stream) Synchronize() error {
	return s.c.drv.check("cuStreamSynchronize", s.c.drv.f.cuStreamSynchronize(s.handle()))
}

func (s *Stream) handle() uintptr {
	if s == nil {
		return 0
	}
	return s.h
}

// CopyToDevice copies a Go slice to device memory at dst, in stream order.
// The copy has read src when it returns (the source is pageable memory,
// which the driver stages), so src may be reused at once.
func CopyToDevice[T any](s *Stream, dst DevicePtr, src []T) error {
	if len(src) == 0 {
		return nil
	}
	bytes := uint64(len(src)) * uint64(unsafe.Sizeof(src[0]))
	r := s.c.drv.f.cuMemcpyHtoDAsync(uint64(dst), unsafe.Pointer(&src[0]), bytes, s.handle())
	runtime.KeepAlive(src)
	return s.c.drv.check("cuMemcpyHtoDAsync", r)
}

// CopyFromDevice copies device memory at src into a Go slice and waits for
// the copy (a device-to-pageable copy returns when it is complete; the
// stream is synchronised as well to be sure).
func CopyFromDevice[T any](s *Stream, dst []T, src DevicePtr) error {
	if len(dst) == 0 {
		return nil
	}
	bytes := uint64(len(dst)) * uint64(unsafe.Sizeof(dst[0]))
	r := s.c.drv.f.cuMemcpyDtoHAsync(unsafe.Pointer(&dst[0]), uint64(src), bytes, s.handle())
	if err := s.c.drv.check("cuMemcpyDtoHAsync", r); err != nil {
		return err
	}
	err := s.Synchronize()
	runtime.KeepAlive(dst)
	return err
}

// Memset sets n bytes at dst to v, in stream order.
func (s *Stream) Memset(dst DevicePtr, v byte, n int) error {
	if n <= 0 {
		return nil
	}
	return s.c.drv.check("cuMemsetD8Async", s.c.drv.f.cuMemsetD8Async(uint64(dst), v, uint64(n), s.handle()))
}

// Event is a CUDA event, for timing work on a stream.
type Event struct {
	c *Context
	h uintptr
}

// NewEvent creates an event.
func (c *Context) NewEvent() (*Event, error) {
	var h uintptr
	if err := c.drv.check("cuEventCreate", c.drv.f.cuEventCreate(&h, 0)); err != nil {
		return nil, err
	}
	return &Event{c: c, h: h}, nil
}

// Record records the event on the stream.
func (e *Event) Record(s *Stream) error {
	return e.c.drv.check("cuEventRecord", e.c.drv.f.cuEventRecord(e.h, s.handle()))
}

// Synchronize waits for the event.
func (e *Event) Synchronize() error {
	return e.c.drv.check("cuEventSynchronize", e.c.drv.f.cuEventSynchronize(e.h))
}

// Since returns the milliseconds between start and e (both recorded and
// completed).
func (e *Event) Since(start *Event) (float32, error) {
	var ms float32
	err := e.c.drv.check("cuEventElapsedTime", e.c.drv.f.cuEventElapsedTime(&ms, start.h, e.h))
	return ms, err
}

// Destroy destroys the event.
func (e *Event) Destroy() error {
	if e == nil || e.h == 0 {
		return nil
	}
	h := e.h
	e.h = 0
	return e.c.drv.check("cuEventDestroy", e.c.drv.f.cuEventDestroy(h))
}

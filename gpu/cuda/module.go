package cuda

import (
	"bytes"
	"fmt"
	"runtime"
	"unsafe"
)

// Module is a loaded PTX module.
type Module struct {
	c *Context
	h uintptr
}

// JIT options of cuModuleLoadDataEx (CUjit_option).
const (
	jitErrorLogBuffer     = 5
	jitErrorLogBufferSize = 6
)

// LoadModule JIT-compiles PTX text for the context's device. On failure the
// error carries the JIT compiler's log.
func (c *Context) LoadModule(ptx []byte) (*Module, error) {
	img := ptx
	if len(img) == 0 || img[len(img)-1] != 0 {
		img = append(append(make([]byte, 0, len(ptx)+1), ptx...), 0)
	}
	logBuf := make([]byte, 8192)
	opts := []int32{jitErrorLogBuffer, jitErrorLogBufferSize}
	vals := []uintptr{uintptr(unsafe.Pointer(&logBuf[0])), uintptr(len(logBuf))}
	var pin runtime.Pinner
	pin.Pin(&logBuf[0])
	pin.Pin(&img[0])
	pin.Pin(&opts[0])
	pin.Pin(&vals[0])
	var h uintptr
	r := c.drv.f.cuModuleLoadDataEx(&h, unsafe.Pointer(&img[0]), uint32(len(opts)), unsafe.Pointer(&opts[0]), unsafe.Pointer(&vals[0]))
	pin.Unpin()
	if r != 0 {
		log := logBuf
		if i := bytes.IndexByte(log, 0); i >= 0 {
			log = log[:i]
		}
		return nil, c.drv.newError("cuModuleLoadDataEx", Result(r), string(bytes.TrimSpace(log)))
	}
	return &Module{c: c, h: h}, nil
}

// Unload unloads the module.
func (m *Module) Unload() error {
	if m == nil || m.h == 0 {
		return nil
	}
	h := m.h
	m.h = 0
	return m.c.drv.check("cuModuleUnload", m.c.drv.f.cuModuleUnload(h))
}

// Function is a kernel of a loaded module.
type Function struct {
	m    *Module
	h    uintptr
	Name string
}

// Function looks a kernel up by its (extern "C") name.
func (m *Module) Function(name string) (*Function, error) {
	var h uintptr
	cs := cString(name)
	r := m.c.drv.f.cuModuleGetFunction(&h, m.h, &cs[0])
	runtime.KeepAlive(cs)
	if r != 0 {
		return nil, m.c.drv.newError("cuModuleGetFunction", Result(r), name)
	}
	return &Function{m: m, h: h, Name: name}, nil
}

// Function attributes (CUfunction_attribute).
const (
	FuncMaxThreadsPerBlock     = 0
	FuncSharedSizeBytes        = 1
	FuncLocalSizeBytes         = 3
	FuncNumRegs                = 4
	FuncMaxDynamicSharedMemory = 8
)

// Attribute returns a function attribute.
func (f *Function) Attribute(attr int) (int, error) {
	var v int32
	if err := f.m.c.drv.check("cuFuncGetAttribute", f.m.c.drv.f.cuFuncGetAttribute(&v, int32(attr), f.h)); err != nil {
		return 0, err
	}
	return int(v), nil
}

// SetMaxDynamicShared allows launches with up to bytes of dynamic shared
// memory (needed above 48 KiB).
func (f *Function) SetMaxDynamicShared(bytes int) error {
	r := f.m.c.drv.f.cuFuncSetAttribute(f.h, FuncMaxDynamicSharedMemory, int32(bytes))
	if r != 0 {
		return f.m.c.drv.newError("cuFuncSetAttribute", Result(r), fmt.Sprintf("%s: %d bytes of dynamic shared memory", f.Name, bytes))
	}
	return nil
}

// Dim3 is a grid or block shape.
type Dim3 struct{ X, Y, Z int }

func (d Dim3) norm() (uint32, uint32, uint32) {
	one := func(v int) uint32 {
		if v <= 0 {
			return 1
		}
		return uint32(v)
	}
	return one(d.X), one(d.Y), one(d.Z)
}

// Launch queues the kernel on the stream. args holds one pointer per kernel
// parameter, pointing at the parameter's value (whose layout must match the
// C declaration); the driver copies the values before Launch returns.
func (f *Function) Launch(grid, block Dim3, sharedBytes int, s *Stream, args ...unsafe.Pointer) error {
	var params unsafe.Pointer
	var pin runtime.Pinner
	defer pin.Unpin()
	if len(args) > 0 {
		ptrs := make([]unsafe.Pointer, len(args))
		for i, a := range args {
			pin.Pin(a)
			ptrs[i] = a
		}
		pin.Pin(&ptrs[0])
		params = unsafe.Pointer(&ptrs[0])
	}
	gx, gy, gz := grid.norm()
	bx, by, bz := block.norm()
	r := f.m.c.drv.f.cuLaunchKernel(f.h, gx, gy, gz, bx, by, bz, uint32(sharedBytes), s.handle(), params, nil)
	runtime.KeepAlive(args)
	if r != 0 {
		return f.m.c.drv.newError("cuLaunchKernel", Result(r), fmt.Sprintf("%s grid %v block %v shared %d", f.Name, grid, block, sharedBytes))
	}
	return nil
}

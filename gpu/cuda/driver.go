// Package cuda binds the parts of the CUDA driver API (libcuda.so.1) that
// optnet needs, without cgo: the library is opened at run time with purego
// (dlopen + dlsym) and every call goes through a Go function value of the C
// signature.
//
// Nothing here runs at init time. A machine without the library or without a
// device gets an error from [Open] or [Default] (wrapping [ErrUnavailable]),
// never a crash or an exit.
//
// CUDA keeps a "current context" per OS thread, while goroutines move between
// threads. Every call that needs a context therefore runs inside
// [Context.Do], which locks the goroutine to its thread and makes the context
// current for the duration of the callback.
//
// Memory rules (those of cgo): Go memory passed to the driver must not be
// retained by it after the call returns. Host↔device copies here are
// synchronous with respect to the host buffer; kernel parameters are pinned
// for the duration of cuLaunchKernel, which copies them.
package cuda

import (
	"errors"
	"fmt"
	"os"
	"sync"

	"github.com/ebitengine/purego"
)

// DefaultLibrary is the library [Default] opens when OPTNET_LIBCUDA is not set.
const DefaultLibrary = "libcuda.so.1"

// LibraryEnv names the environment variable that overrides the path of the
// driver library (tests point it at a fake driver or at a missing file).
const LibraryEnv = "OPTNET_LIBCUDA"

// ErrUnavailable is wrapped by every error that means "no usable CUDA here":
// the library is missing, it lacks a symbol, or there is no device.
var ErrUnavailable = errors.New("cuda: not available")

// Result is a CUresult, the status code every driver call returns.
type Result int32

// Some CUresult values that the code tests for.
const (
	Success             Result = 0
	ErrorInvalidValue   Result = 1
	ErrorOutOfMemory    Result = 2
	ErrorNotInitialized Result = 3
	ErrorStubLibrary    Result = 34
	ErrorNoDevice       Result = 100
	ErrorInvalidDevice  Result = 101
	ErrorInvalidPTX     Result = 218
	ErrorNotFound       Result = 500
)

// Error is a failed driver call: which call, its CUresult, and the driver's
// name (e.g. CUDA_ERROR_OUT_OF_MEMORY) and description of the code.
type Error struct {
	Op      string // the driver function, e.g. "cuMemAlloc"
	Code    Result
	Name    string // e.g. "CUDA_ERROR_OUT_OF_MEMORY"
	Message string // the driver's description
	Detail  string // extra context (a JIT log, a kernel name)
}

func (e *Error) Error() string {
	s := fmt.Sprintf("cuda: %s: %s", e.Op, e.Name)
	if e.Message != "" {
		s += " (" + e.Message + ")"
	}
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

// Is makes errors.Is(err, ErrUnavailable) true for the codes that mean there
// is no usable device.
func (e *Error) Is(target error) bool {
	if target != ErrUnavailable {
		return false
	}
	switch e.Code {
	case ErrorNoDevice, ErrorInvalidDevice, ErrorStubLibrary, ErrorNotInitialized:
		return true
	}
	return false
}

// Driver is an opened driver library with its entry points resolved and
// cuInit done. It is safe for concurrent use.
type Driver struct {
	path   string
	handle uintptr
	f      funcs
}

// Open loads the driver library at path (a file name searched by the dynamic
// loader, or a path), resolves the entry points and calls cuInit(0).
func Open(path string) (*Driver, error) {
	h, err := purego.Dlopen(path, purego.RTLD_NOW|purego.RTLD_LOCAL)
	if err != nil {
		return nil, fmt.Errorf("%w: cannot load %s: %v", ErrUnavailable, path, err)
	}
	d := &Driver{path: path, handle: h}
	if err := d.f.resolve(h); err != nil {
		purego.Dlclose(h)
		return nil, fmt.Errorf("%w: %s: %v", ErrUnavailable, path, err)
	}
	if err := d.check("cuInit", d.f.cuInit(0)); err != nil {
		purego.Dlclose(h)
		if errors.Is(err, ErrUnavailable) {
			return nil, err
		}
		return nil, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	return d, nil
}

var (
	defaultOnce sync.Once
	defaultDrv  *Driver
	defaultErr  error
)

// Default opens the library named by $OPTNET_LIBCUDA, or libcuda.so.1, once
// per process, and returns the same result on every call.
func Default() (*Driver, error) {
	defaultOnce.Do(func() {
		path := os.Getenv(LibraryEnv)
		if path == "" {
			path = DefaultLibrary
		}
		defaultDrv, defaultErr = Open(path)
	})
	return defaultDrv, defaultErr
}

// Path returns the library path the driver was opened from.
func (d *Driver) Path() string { return d.path }

// check turns a CUresult into nil or an *Error.
func (d *Driver) check(op string, r int32) error {
	if r == 0 {
		return nil
	}
	return d.newError(op, Result(r), "")
}

func (d *Driver) newError(op string, r Result, detail string) *Error {
	e := &Error{Op: op, Code: r, Detail: detail}
	var p *byte
	if d.f.cuGetErrorName != nil && d.f.cuGetErrorName(int32(r), &p) == 0 {
		e.Name = goString(p)
	}
	if e.Name == "" {
		e.Name = fmt.Sprintf("CUresult(%d)", int32(r))
	}
	p = nil
	if d.f.cuGetErrorString != nil && d.f.cuGetErrorString(int32(r), &p) == 0 {
		e.Message = goString(p)
	}
	return e
}

// Version returns the driver's CUDA version, e.g. 12040 for 12.4.
func (d *Driver) Version() (int, error) {
	var v int32
	if err := d.check("cuDriverGetVersion", d.f.cuDriverGetVersion(&v)); err != nil {
		return 0, err
	}
	return int(v), nil
}

// DeviceCount returns the number of CUDA devices.
func (d *Driver) DeviceCount() (int, error) {
	var n int32
	if err := d.check("cuDeviceGetCount", d.f.cuDeviceGetCount(&n)); err != nil {
		return 0, err
	}
	return int(n), nil
}

// Device returns the device with the given ordinal.
func (d *Driver) Device(ordinal int) (Device, error) {
	var h int32
	if err := d.check("cuDeviceGet", d.f.cuDeviceGet(&h, int32(ordinal))); err != nil {
		return Device{}, err
	}
	return Device{drv: d, h: h}, nil
}

// Device is a CUDA device (a CUdevice).
type Device struct {
	drv *Driver
	h   int32
}

// Attribute is a CUdevice_attribute.
type Attribute int32

// Device attributes used by optnet.
const (
	AttrMaxThreadsPerBlock       Attribute = 1
	AttrMultiprocessorCount      Attribute = 16
	AttrComputeCapabilityMajor   Attribute = 75
	AttrComputeCapabilityMinor   Attribute = 76
	AttrMaxSharedPerMultiproc    Attribute = 81
	AttrMaxSharedPerBlockOptin   Attribute = 97
	AttrMaxSharedPerBlockDefault Attribute = 8
)

// Name returns the device's name.
func (dev Device) Name() (string, error) {
	buf := make([]byte, 256)
	if err := dev.drv.check("cuDeviceGetName", dev.drv.f.cuDeviceGetName(&buf[0], int32(len(buf)), dev.h)); err != nil {
		return "", err
	}
	for i, c := range buf {
		if c == 0 {
			return string(buf[:i]), nil
		}
	}
	return string(buf), nil
}

// Attribute returns a device attribute.
func (dev Device) Attribute(a Attribute) (int, error) {
	var v int32
	if err := dev.drv.check("cuDeviceGetAttribute", dev.drv.f.cuDeviceGetAttribute(&v, int32(a), dev.h)); err != nil {
		return 0, err
	}
	return int(v), nil
}

// TotalMem returns the device memory in bytes.
func (dev Device) TotalMem() (uint64, error) {
	var v uint64
	if err := dev.drv.check("cuDeviceTotalMem", dev.drv.f.cuDeviceTotalMem(&v, dev.h)); err != nil {
		return 0, err
	}
	return v, nil
}

// goString copies a NUL-terminated C string.
func goString(p *byte) string {
	if p == nil {
		return ""
	}
	var b []byte
	for q := p; *q != 0; q = next(q) {
		b = append(b, *q)
		if len(b) > 1<<16 {
			break
		}
	}
	return string(b)
}

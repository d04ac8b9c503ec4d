package cuda

import (
	"fmt"
	"reflect"
	"unsafe"

	"github.com/ebitengine/purego"
)

// funcs holds one Go function per driver entry point. The field's tag is the
// exported symbol (the _v2 names are what cuda.h's macros select). Integer
// types follow the C prototypes: CUresult, CUdevice, int and enums are int32;
// CUdeviceptr and size_t are uint64; handles (CUcontext, CUmodule,
// CUfunction, CUstream, CUevent) are pointers, carried as uintptr.
type funcs struct {
	cuInit                    func(flags uint32) int32                                                                                   `sym:"cuInit"`
	cuDriverGetVersion        func(v *int32) int32                                                                                       `sym:"cuDriverGetVersion"`
	cuGetErrorName            func(code int32, s **byte) int32                                                                           `sym:"cuGetErrorName"`
	cuGetErrorString          func(code int32, s **byte) int32                                                                           `sym:"cuGetErrorString"`
	cuDeviceGetCount          func(n *int32) int32                                                                                       `sym:"cuDeviceGetCount"`
	cuDeviceGet               func(dev *int32, ordinal int32) int32                                                                      `sym:"cuDeviceGet"`
	cuDeviceGetName           func(name *byte, n int32, dev int32) int32                                                                 `sym:"cuDeviceGetName"`
	cuDeviceGetAttribute      func(v *int32, attr int32, dev int32) int32                                                                `sym:"cuDeviceGetAttribute"`
	cuDeviceTotalMem          func(bytes *uint64, dev int32) int32                                                                       `sym:"cuDeviceTotalMem_v2"`
	cuDevicePrimaryCtxRetain  func(ctx *uintptr, dev int32) int32                                                                        `sym:"cuDevicePrimaryCtxRetain"`
	cuDevicePrimaryCtxRelease func(dev int32) int32                                                                                      `sym:"cuDevicePrimaryCtxRelease_v2"`
	cuCtxSetCurrent           func(ctx uintptr) int32                                                                                    `sym:"cuCtxSetCurrent"`
	cuCtxSynchronize          func() int32                                                                                               `sym:"cuCtxSynchronize"`
	cuModuleLoadDataEx        func(mod *uintptr, image unsafe.Pointer, n uint32, opts, vals unsafe.Pointer) int32                        `sym:"cuModuleLoadDataEx"`
	cuModuleUnload            func(mod uintptr) int32                                                                                    `sym:"cuModuleUnload"`
	cuModuleGetFunction       func(fn *uintptr, mod uintptr, name *byte) int32                                                           `sym:"cuModuleGetFunction"`
	cuFuncGetAttribute        func(v *int32, attr int32, fn uintptr) int32                                                               `sym:"cuFuncGetAttribute"`
	cuFuncSetAttribute        func(fn uintptr, attr int32, v int32) int32                                                                `sym:"cuFuncSetAttribute"`
	cuLaunchKernel            func(fn uintptr, gx, gy, gz, bx, by, bz, shmem uint32, stream uintptr, params, extra unsafe.Pointer) int32 `sym:"cuLaunchKernel"`
	cuMemAlloc                func(p *uint64, bytes uint64) int32                                                                        `sym:"cuMemAlloc_v2"`
	cuMemFree                 func(p uint64) int32                                                                                       `sym:"cuMemFree_v2"`
	cuMemGetInfo              func(free, total *uint64) int32                                                                            `sym:"cuMemGetInfo_v2"`
	cuMemcpyHtoDAsync         func(dst uint64, src unsafe.Pointer, bytes uint64, stream uintptr) int32                                   `sym:"cuMemcpyHtoDAsync_v2"`
	cuMemcpyDtoHAsync         func(dst unsafe.Pointer, src uint64, bytes uint64, stream uintptr) int32                                   `sym:"cuMemcpyDtoHAsync_v2"`
	cuMemsetD8Async           func(dst uint64, v uint8, n uint64, stream uintptr) int32                                                  `sym:"cuMemsetD8Async"`
	cuStreamCreate            func(s *uintptr, flags uint32) int32                                                                       `sym:"cuStreamCreate"`
	cuStreamDestroy           func(s uintptr) int32                                                                                      `sym:"cuStreamDestroy_v2"`
	cuStreamSynchronize       func(s uintptr) int32                                                                                      `sym:"cuStreamSynchronize"`
	cuEventCreate             func(e *uintptr, flags uint32) int32                                                                       `sym:"cuEventCreate"`
	cuEventDestroy            func(e uintptr) int32                                                                                      `sym:"cuEventDestroy_v2"`
	cuEventRecord             func(e, stream uintptr) int32                                                                              `sym:"cuEventRecord"`
	cuEventSynchronize        func(e uintptr) int32                                                                                      `sym:"cuEventSynchronize"`
	cuEventElapsedTime        func(ms *float32, start, end uintptr) int32                                                                `sym:"cuEventElapsedTime"`
}

// Symbols returns the driver symbols the binding resolves, in order.
func Symbols() []string {
	t := reflect.TypeFor[funcs]()
	names := make([]string, t.NumField())
	for i := range names {
		names[i] = t.Field(i).Tag.Get("sym")
	}
	return names
}

// resolve looks every symbol up in the library and binds the Go functions.
// A missing symbol is an error (not purego's panic).
func (f *funcs) resolve(handle uintptr) error {
	v := reflect.ValueOf(f).Elem()
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		name := t.Field(i).Tag.Get("sym")
		sym, err := purego.Dlsym(handle, name)
		if err != nil || sym == 0 {
			return fmt.Errorf("missing symbol %s", name)
		}
		// The fields are unexported; bind through a pointer to the field.
		fp := reflect.NewAt(t.Field(i).Type, unsafe.Pointer(v.Field(i).UnsafeAddr()))
		purego.RegisterFunc(fp.Interface(), sym)
	}
	return nil
}

// next returns the address of the byte after p (for walking C strings).
func next(p *byte) *byte { return (*byte)(unsafe.Add(unsafe.Pointer(p), 1)) }

// cString returns s as a NUL-terminated byte slice.
func cString(s string) []byte {
	b := make([]byte, len(s)+1)
	copy(b, s)
	return b
}

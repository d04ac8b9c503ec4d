package cudaqp

import (
	"fmt"
	"sync"

	"github.com/optnet-go/optnet/gpu"
	"github.com/optnet-go/optnet/gpu/cuda"
	"github.com/optnet-go/optnet/gpu/kernels"
)

// dev is the process's CUDA state for the QP solver: the primary context of
// device 0, the loaded module, its kernels and a stream.
type dev struct {
	info   gpu.Info
	ctx    *cuda.Context
	mod    *cuda.Module
	stream *cuda.Stream
	fn     map[string]*cuda.Function
	// sharedLimit is the dynamic shared memory a block may use.
	sharedLimit int
}

var (
	devOnce sync.Once
	devVal  *dev
	devErr  error
)

// device opens the driver (cuda.Default: $OPTNET_LIBCUDA or libcuda.so.1)
// and loads the kernels, once per process.
func device() (*dev, error) {
	devOnce.Do(func() { devVal, devErr = openDevice() })
	return devVal, devErr
}

func openDevice() (*dev, error) {
	drv, err := cuda.Default()
	if err != nil {
		return nil, err
	}
	info, err := gpu.Describe(drv)
	if err != nil {
		return nil, err
	}
	d0, err := drv.Device(0)
	if err != nil {
		return nil, err
	}
	ctx, err := d0.PrimaryContext()
	if err != nil {
		return nil, err
	}
	d := &dev{info: info, ctx: ctx, fn: map[string]*cuda.Function{}, sharedLimit: info.MaxSharedOptin}
	err = ctx.Do(func() error {
		mod, err := ctx.LoadModule(kernels.QPPTX)
		if err != nil {
			return err
		}
		d.mod = mod
		for _, name := range kernels.QPKernels {
			f, err := mod.Function(name)
			if err != nil {
				return err
			}
			d.fn[name] = f
		}
		// The arena kernels may use all the shared memory a block can opt
		// in to.
		for _, name := range []string{"qp_ipm", "qp_backward"} {
			if err := d.fn[name].SetMaxDynamicShared(d.sharedLimit); err != nil {
				return err
			}
		}
		d.stream, err = ctx.NewStream()
		return err
	})
	if err != nil {
		ctx.Release()
		return nil, fmt.Errorf("cudaqp: loading the QP kernels on %s: %w", info.Name, err)
	}
	return d, nil
}

// mem is a set of device allocations freed together: by Release, or by the
// garbage collector's cleanup of the Solution that holds them.
type mem struct {
	d     *dev
	mu    sync.Mutex
	ptrs  []cuda.DevicePtr
	freed bool
}

// alloc allocates bytes (at least 8) of device memory; call inside d.ctx.Do.
func (m *mem) alloc(bytes int) (cuda.DevicePtr, error) {
	p, err := m.d.ctx.Alloc(max(bytes, 8))
	if err != nil {
		return 0, err
	}
	m.mu.Lock()
	m.ptrs = append(m.ptrs, p)
	m.mu.Unlock()
	return p, nil
}

// free frees every allocation; call inside d.ctx.Do.
func (m *mem) freeLocked() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.freed {
		return nil
	}
	m.freed = true
	var first error
	for _, p := range m.ptrs {
		if err := m.d.ctx.Free(p); err != nil && first == nil {
			first = err
		}
	}
	m.ptrs = nil
	return first
}

// release frees every allocation, taking the context.
func (m *mem) release() {
	m.mu.Lock()
	done := m.freed
	m.mu.Unlock()
	if done {
		return
	}
	m.d.ctx.Do(func() error { return m.freeLocked() })
}

// Package gpu reports whether optnet can use a CUDA GPU on this machine and
// describes it. The driver binding is in gpu/cuda, the QP solver in
// gpu/cudaqp and the kernels in gpu/kernels (see docs/gpu.md).
//
// Nothing here needs cgo or a GPU to build: the driver library is loaded at
// run time, and its absence is reported, never fatal.
package gpu

import (
	"errors"
	"fmt"
	"sync"

	"github.com/optnet-go/optnet/gpu/cuda"
)

// Info describes the device optnet uses (ordinal 0).
type Info struct {
	Name             string
	Library          string // the driver library path
	DriverVersion    int    // e.g. 12040
	ComputeMajor     int
	ComputeMinor     int
	Multiprocessors  int
	TotalMemory      uint64
	MaxSharedOptin   int // bytes of shared memory a block may opt in to
	MaxThreadsPerBlk int
}

func (i Info) String() string {
	return fmt.Sprintf("%s (compute %d.%d, %d SMs, %.1f GiB, driver %d.%d)", i.Name, i.ComputeMajor, i.ComputeMinor,
		i.Multiprocessors, float64(i.TotalMemory)/(1<<30), i.DriverVersion/1000, i.DriverVersion%1000/10)
}

var (
	probeOnce sync.Once
	probeInfo Info
	probeErr  error
)

// Probe opens the driver (once per process) and describes device 0. The
// error wraps cuda.ErrUnavailable when there is no usable GPU.
func Probe() (Info, error) {
	probeOnce.Do(func() { probeInfo, probeErr = probe() })
	return probeInfo, probeErr
}

func probe() (Info, error) {
	drv, err := cuda.Default()
	if err != nil {
		return Info{}, err
	}
	return Describe(drv)
}

// Describe returns the Info of device 0 of an opened driver.
func Describe(drv *cuda.Driver) (Info, error) {
	info := Info{Library: drv.Path()}
	n, err := drv.DeviceCount()
	if err != nil {
		return info, err
	}
	if n == 0 {
		return info, fmt.Errorf("%w: the driver reports no CUDA device", cuda.ErrUnavailable)
	}
	dev, err := drv.Device(0)
	if err != nil {
		return info, err
	}
	if info.Name, err = dev.Name(); err != nil {
		return info, err
	}
	if info.DriverVersion, err = drv.Version(); err != nil {
		return info, err
	}
	if info.TotalMemory, err = dev.TotalMem(); err != nil {
		return info, err
	}
	for _, a := range []struct {
		attr cuda.Attribute
		dst  *int
	}{
		{cuda.AttrComputeCapabilityMajor, &info.ComputeMajor},
		{cuda.AttrComputeCapabilityMinor, &info.ComputeMinor},
		{cuda.AttrMultiprocessorCount, &info.Multiprocessors},
		{cuda.AttrMaxSharedPerBlockOptin, &info.MaxSharedOptin},
		{cuda.AttrMaxThreadsPerBlock, &info.MaxThreadsPerBlk},
	} {
		if *a.dst, err = dev.Attribute(a.attr); err != nil {
			return info, err
		}
	}
	// The kernels are PTX for compute_80 (double-precision shuffles, large
	// shared memory): older devices cannot run them.
	if info.ComputeMajor < 8 {
		return info, fmt.Errorf("%w: %s has compute capability %d.%d; optnet's kernels need 8.0 or newer", cuda.ErrUnavailable, info.Name, info.ComputeMajor, info.ComputeMinor)
	}
	return info, nil
}

// Available reports whether a usable CUDA GPU is present and, when it is
// not, why (a one-line reason). It never panics or exits.
func Available() (bool, string) {
	info, err := Probe()
	if err != nil {
		return false, Reason(err)
	}
	return true, info.String()
}

// Reason turns a probe error into a one-line reason.
func Reason(err error) string {
	if err == nil {
		return ""
	}
	var ce *cuda.Error
	if errors.As(err, &ce) && ce.Code == cuda.ErrorNoDevice {
		return "no CUDA device: " + err.Error()
	}
	return err.Error()
}

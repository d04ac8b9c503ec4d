package qp

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/optnet-go/optnet/runtime"
)

// fakeDevice is a device solver that is the CPU solver under another type.
type fakeDevice struct{ CPU }

// withDevice registers factory for the duration of a test.
func withDevice(t *testing.T, factory func() (Solver, error)) {
	device.mu.Lock()
	name, prev := device.name, device.factory
	device.mu.Unlock()
	RegisterDeviceSolver("test", factory)
	t.Cleanup(func() {
		device.mu.Lock()
		device.name, device.factory = name, prev
		device.mu.Unlock()
	})
}

// captureNotices collects the notices given during a test (forgetting
// which were given before, so that each test sees its own).
func captureNotices(t *testing.T) *[]string {
	var got []string
	notice.mu.Lock()
	seen := notice.seen
	notice.seen = nil
	notice.mu.Unlock()
	prev := SetNotice(func(msg string) { got = append(got, msg) })
	t.Cleanup(func() {
		SetNotice(prev)
		notice.mu.Lock()
		notice.seen = seen
		notice.mu.Unlock()
	})
	return &got
}

func TestSolverForDevice(t *testing.T) {
	t.Run("NoneRegistered", func(t *testing.T) {
		withDevice(t, nil)
		notices := captureNotices(t)
		if s, err := solverFor(runtime.CPU); err != nil || s != (CPU{}) {
			t.Errorf("CPU: %v, %v", s, err)
		}
		_, err := solverFor(runtime.CUDA)
		if !errors.Is(err, ErrNoDevice) || !strings.Contains(err.Error(), "cuda") || !strings.Contains(err.Error(), "no GPU solver is linked") {
			t.Errorf("CUDA with no solver linked: %v", err)
		}
		s, err := solverFor(runtime.Auto)
		if err != nil || s != (CPU{}) {
			t.Errorf("Auto: %v, %v; want the CPU solver", s, err)
		}
		if len(*notices) != 1 || !strings.Contains((*notices)[0], "runs on the CPU") {
			t.Errorf("notices %q, want one saying the QP runs on the CPU", *notices)
		}
		solverFor(runtime.Auto) // the notice is given once
		if len(*notices) != 1 {
			t.Errorf("notice repeated: %q", *notices)
		}
	})
	t.Run("Unavailable", func(t *testing.T) {
		withDevice(t, func() (Solver, error) { return nil, errors.New("libcuda.so.1: cannot open shared object file") })
		notices := captureNotices(t)
		_, err := solverFor(runtime.CUDA)
		if !errors.Is(err, ErrNoDevice) || !strings.Contains(err.Error(), "libcuda.so.1") {
			t.Errorf("CUDA without a GPU: %v, want ErrNoDevice with the reason", err)
		}
		if s, err := solverFor(runtime.Auto); err != nil || s != (CPU{}) {
			t.Errorf("Auto without a GPU: %v, %v", s, err)
		}
		if len(*notices) != 1 || !strings.Contains((*notices)[0], "libcuda.so.1") {
			t.Errorf("notices %q, want the reason", *notices)
		}
	})
	t.Run("Available", func(t *testing.T) {
		withDevice(t, func() (Solver, error) { return fakeDevice{}, nil })
		notices := captureNotices(t)
		for _, dev := range []runtime.Device{runtime.CUDA, runtime.Auto} {
			s, err := solverFor(dev)
			if _, ok := s.(fakeDevice); !ok || err != nil {
				t.Errorf("%v: %T, %v; want the device solver", dev, s, err)
			}
		}
		if s, _ := solverFor(runtime.CPU); s != (CPU{}) {
			t.Errorf("CPU: %T", s)
		}
		if len(*notices) != 0 {
			t.Errorf("unexpected notices %q", *notices)
		}
	})
}

// TestSolutionRelease: Release calls the solver's Releaser and is a no-op
// for the CPU solver.
type countRelease struct{ n int }

func (c *countRelease) Release() { c.n++ }

func TestSolutionRelease(t *testing.T) {
	c := &countRelease{}
	(&Solution{Factors: c}).Release()
	if c.n != 1 {
		t.Errorf("Release called %d times", c.n)
	}
	var nilSol *Solution
	nilSol.Release()
	sol, err := Solve(context.Background(), &Problem{N: 1, Q: []float64{1}, P: []float64{1}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	sol.Release()
	if _, err := Backward(context.Background(), sol, []float64{1}); err != nil {
		t.Errorf("the CPU solver's Backward after Release: %v", err)
	}
}

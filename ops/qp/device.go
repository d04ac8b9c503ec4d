package qp

import (
	"errors"
	"fmt"
	"os"
	"sync"

	"github.com/optnet-go/optnet/runtime"
)

// Device solvers. This package does not depend on any GPU code: a GPU solver
// package (gpu/cudaqp) registers a constructor here from its init function,
// and the root optnet package imports it for that side effect. The QP op's
// Build then picks the solver for the model's runtime.Options.Device:
//
//   - runtime.CPU: the CPU solver;
//   - runtime.CUDA: the registered device solver, or a compile error saying
//     why there is none (no solver linked in, no driver, no GPU);
//   - runtime.Auto: the device solver when one is available, else the CPU
//     solver, with a one-line notice (once per process) saying why.

// ErrNoDevice is wrapped by the errors that say no device solver can be used.
var ErrNoDevice = errors.New("qp: no device solver available")

var device struct {
	mu      sync.Mutex
	name    string
	factory func() (Solver, error)
}

// RegisterDeviceSolver registers the constructor of the device (GPU) solver
// under a name such as "cuda". The constructor is called by every Build that
// wants the device; it should return a shared solver (or the same error)
// cheaply after the first call. A later registration replaces an earlier one.
func RegisterDeviceSolver(name string, factory func() (Solver, error)) {
	device.mu.Lock()
	defer device.mu.Unlock()
	device.name, device.factory = name, factory
}

// DeviceSolver returns the registered device solver, or an error wrapping
// ErrNoDevice that says why there is none.
func DeviceSolver() (Solver, error) {
	device.mu.Lock()
	name, factory := device.name, device.factory
	device.mu.Unlock()
	if factory == nil {
		return nil, fmt.Errorf("%w: no GPU solver is linked into this program (import github.com/optnet-go/optnet or github.com/optnet-go/optnet/gpu/cudaqp)", ErrNoDevice)
	}
	s, err := factory()
	if err != nil {
		if errors.Is(err, ErrNoDevice) {
			return nil, err
		}
		return nil, fmt.Errorf("%w (%s solver): %v", ErrNoDevice, name, err)
	}
	return s, nil
}

var notice struct {
	mu   sync.Mutex
	fn   func(string)
	seen map[string]bool
}

// SetNotice sets the function that receives the QP op's one-line notices
// (today: "running on the CPU because ..." under runtime.Auto) and returns
// the previous one. nil restores the default, which writes to standard
// error. Each distinct notice is given once per process.
func SetNotice(fn func(msg string)) (previous func(msg string)) {
	notice.mu.Lock()
	defer notice.mu.Unlock()
	previous, notice.fn = notice.fn, fn
	return previous
}

func noticeOnce(msg string) {
	notice.mu.Lock()
	if notice.seen == nil {
		notice.seen = map[string]bool{}
	}
	if notice.seen[msg] {
		notice.mu.Unlock()
		return
	}
	notice.seen[msg] = true
	fn := notice.fn
	notice.mu.Unlock()
	if fn == nil {
		fmt.Fprintln(os.Stderr, msg)
		return
	}
	fn(msg)
}

// solverFor picks the solver for a device (see the comment at the top).
func solverFor(dev runtime.Device) (Solver, error) {
	switch dev {
	case runtime.CPU:
		return CPU{}, nil
	case runtime.CUDA:
		s, err := DeviceSolver()
		if err != nil {
			return nil, fmt.Errorf("QP on device cuda: %w", err)
		}
		return s, nil
	case runtime.Auto:
		s, err := DeviceSolver()
		if err != nil {
			noticeOnce("optnet: the QP layer runs on the CPU: " + err.Error())
			return CPU{}, nil
		}
		return s, nil
	}
	return nil, fmt.Errorf("QP: unknown device %v", dev)
}

// Releaser is implemented by the Solution.Factors of solvers that hold
// resources outside Go memory (a GPU solver's device buffers).
type Releaser interface {
	Release()
}

// Release frees the resources a solver keeps in s for Backward (device
// memory of a GPU solver) without waiting for the garbage collector; s can
// then no longer be passed to Backward. It does nothing for the CPU solver
// and is safe to call more than once.
func (s *Solution) Release() {
	if s == nil {
		return
	}
	if r, ok := s.Factors.(Releaser); ok {
		r.Release()
	}
}

// Validate checks that the sizes of p agree with each other (errors wrap
// ErrShape) and returns the batch size. Solvers call it first.
func (p *Problem) Validate() (batch int, err error) {
	d, err := p.validate()
	return d.batch, err
}

// NonFinite returns, for each batch item of a valid problem, the name of the
// input ("Q", "p", ...) whose NaN or ±Inf makes the item fail as the CPU
// solver reports it (a shared input first: it spoils every item), or ""
// when its data are finite. It returns nil when p is not valid.
func (p *Problem) NonFinite() []string {
	d, err := p.validate()
	if err != nil {
		return nil
	}
	bad := make([]string, d.batch)
	if name := p.sharedNonFinite(); name != "" {
		for i := range bad {
			bad[i] = name
		}
		return bad
	}
	var nnz itemCounts
	for i := range bad {
		bad[i] = p.itemNonFinite(d, i, &nnz)
	}
	return bad
}

// WithDefaults returns o with every non-positive field replaced by its
// documented default.
func (o Options) WithDefaults() Options { return o.withDefaults() }

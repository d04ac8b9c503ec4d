// Package cudaqp is the CUDA implementation of qp.Solver: the batched
// interior-point QP solver and its KKT backward pass run on the GPU, with
// the algorithm, stopping rule, acceptance check and per-item errors of the
// CPU solver (docs/qp-op.md, docs/gpu.md).
//
// Importing the package registers the solver with ops/qp (see
// qp.RegisterDeviceSolver), so that models compiled with
// runtime.Options{Device: runtime.CUDA or runtime.Auto} use it; the root
// optnet package imports it. Use it directly with New:
//
//	s, err := cudaqp.New()           // fails cleanly without a GPU
//	sol, err := s.Solve(ctx, problem, qp.Options{})
//	grads, err := s.Backward(ctx, sol, dz)
//	sol.Release()                    // or leave it to the garbage collector
//
// A Solution keeps the problem data, the per-problem factorisations and the
// solution on the device for Backward. That device memory is freed by
// Solution.Release, or when the garbage collector finds the Solution
// unreachable; code that solves large batches in a loop without calling
// Backward should call Release.
package cudaqp

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"sort"
	"sync"
	"unsafe"

	"github.com/optnet-go/optnet/gpu/cuda"
	"github.com/optnet-go/optnet/ops/qp"
)

// Solver solves batches of QPs on the GPU. It is safe for concurrent use;
// calls take turns on the device.
type Solver struct {
	d *dev
	// threads overrides the block size (tests); 0 chooses by size.
	threads int
	// forcePath forces the dual (1) or primal (2) reduction (tests).
	forcePath int
	// sharedLimit overrides the device's shared-memory limit (tests), to
	// exercise the global-memory arena.
	sharedLimit int

	timing  bool
	timesMu sync.Mutex
	times   Timings
}

// Timings splits the device time of the last Solve or Backward (with
// SetTiming on), measured with CUDA events on the solver's stream, in
// milliseconds.
type Timings struct {
	Upload   float64 // host → device copies of the inputs (dz for Backward)
	Setup    float64 // per-problem factorisations (Solve only)
	Solve    float64 // the interior-point kernel, or the backward and gradient kernels
	Download float64 // device → host copies of the results
}

// SetTiming turns the event timing of Timings on or off (it adds a few
// synchronisations).
func (s *Solver) SetTiming(on bool) { s.timing = on }

// LastTimings returns the timings of the last call made with SetTiming on.
func (s *Solver) LastTimings() Timings {
	s.timesMu.Lock()
	defer s.timesMu.Unlock()
	return s.times
}

// stopwatch records events on a stream between phases (when enabled).
type stopwatch struct {
	on     bool
	st     *cuda.Stream
	events []*cuda.Event
}

func (w *stopwatch) mark(ctx *cuda.Context) {
	if !w.on {
		return
	}
	e, err := ctx.NewEvent()
	if err != nil {
		w.on = false
		return
	}
	if err := e.Record(w.st); err != nil {
		w.on = false
	}
	w.events = append(w.events, e)
}

// phases returns the milliseconds between consecutive marks and destroys
// the events.
func (w *stopwatch) phases() []float64 {
	var ms []float64
	if w.on && len(w.events) > 0 {
		w.events[len(w.events)-1].Synchronize()
		for i := 1; i < len(w.events); i++ {
			d, err := w.events[i].Since(w.events[i-1])
			if err != nil {
				d = float32(math.NaN())
			}
			ms = append(ms, float64(d))
		}
	}
	for _, e := range w.events {
		e.Destroy()
	}
	return ms
}

var _ qp.Solver = (*Solver)(nil)

// New returns the CUDA solver of device 0, or an error wrapping
// cuda.ErrUnavailable when this machine has no usable GPU.
func New() (*Solver, error) {
	d, err := device()
	if err != nil {
		return nil, err
	}
	return &Solver{d: d}, nil
}

// Device returns a description of the GPU the solver runs on.
func (s *Solver) Device() string { return s.d.info.String() }

func init() {
	qp.RegisterDeviceSolver("cuda", func() (qp.Solver, error) {
		s, err := shared()
		if err != nil {
			return nil, err
		}
		return s, nil
	})
}

// shared returns a Solver on the process's device (opened once).
func shared() (*Solver, error) { return New() }

// factors is the Solution.Factors of the CUDA solver: everything Backward
// needs, on the device.
type factors struct {
	s       *Solver
	p       *qp.Problem
	batch   int
	n, m, k int
	mem     *mem
	prm     params // the forward's kernel parameters (device pointers)
	threads int
	dual    bool // some item uses the dual reduction
	primal  bool // some item uses the primal reduction
	solved  bool // the device ran (false: every item failed on the host)
}

// Release frees the device memory held for Backward.
func (f *factors) Release() {
	if f.mem != nil {
		f.mem.release()
	}
}

func (f *factors) released() bool {
	if f.mem == nil {
		return false
	}
	f.mem.mu.Lock()
	defer f.mem.mu.Unlock()
	return f.mem.freed
}

// Solve solves every item of the batch on the GPU; see qp.Solve for the
// contract (errors, FailNaN).
func (s *Solver) Solve(ctx context.Context, p *qp.Problem, opt qp.Options) (*qp.Solution, error) {
	batch, err := p.Validate()
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	opt = opt.WithDefaults()
	n, m, k := p.N, p.M, p.K
	sol := &qp.Solution{
		Batch: batch, N: n, M: m, K: k,
		Z: make([]float64, batch*n), Lam: make([]float64, batch*m),
		Nu: make([]float64, batch*k), S: make([]float64, batch*m),
		Iterations: make([]int, batch),
		Status:     make([]error, batch),
		Problem:    p,
	}
	status := make([]int64, batch)
	todo := 0
	for i, in := range p.NonFinite() {
		if in != "" {
			status[i] = stNonFinite
			sol.Status[i] = fmt.Errorf("%w in %s", qp.ErrNonFinite, in)
		} else {
			todo++
		}
	}
	f := &factors{s: s, p: p, batch: batch, n: n, m: m, k: k}
	sol.Factors = f
	if todo > 0 {
		f.mem = &mem{d: s.d}
		runtime.AddCleanup(f, func(m *mem) { m.release() }, f.mem)
		var iters []int64
		var info []float64
		err := s.d.ctx.Do(func() error {
			var err error
			iters, info, err = s.forward(ctx, f, opt, status, sol)
			return err
		})
		if err != nil {
			f.Release()
			return nil, err
		}
		f.solved = true
		for i := range status {
			sol.Iterations[i] = int(iters[i])
			if status[i] != stOK && status[i] != stNonFinite {
				sol.Status[i] = itemError(status[i], int(iters[i]), info[2*i], int(info[2*i+1]))
			}
		}
	}
	var serr *qp.SolveError
	for i, e := range sol.Status {
		if e == nil {
			continue
		}
		if serr == nil {
			serr = &qp.SolveError{}
		}
		serr.Items = append(serr.Items, qp.ItemError{Item: i, Reason: e})
		// The device writes NaN rows for the items it fails; items that
		// failed on the host may not have been to the device.
		fillNaN(sol.Z[i*n : (i+1)*n])
		fillNaN(sol.S[i*m : (i+1)*m])
		fillNaN(sol.Lam[i*m : (i+1)*m])
		fillNaN(sol.Nu[i*k : (i+1)*k])
	}
	if serr == nil {
		return sol, nil
	}
	sort.Slice(serr.Items, func(a, b int) bool { return serr.Items[a].Item < serr.Items[b].Item })
	if opt.OnFailure == qp.FailNaN {
		return sol, serr
	}
	f.Release()
	return nil, serr
}

func fillNaN(x []float64) {
	for i := range x {
		x[i] = math.NaN()
	}
}

// itemError turns a device status into the CPU solver's error for the item.
func itemError(code int64, steps int, best float64, stop int) error {
	switch code {
	case stQNotPSD:
		return fmt.Errorf("%w: Q is not positive semidefinite", qp.ErrNotConvex)
	case stStartH:
		return fmt.Errorf("%w: Q + GᵀG + ρAᵀA is singular, so the objective is not strictly convex on the constraints", qp.ErrNotConvex)
	case stRankSetup:
		return fmt.Errorf("%w: A Q⁻¹ Aᵀ is not positive definite", qp.ErrRankDeficient)
	case stStartP:
		return fmt.Errorf("%w: A H⁻¹ Aᵀ is not positive definite", qp.ErrRankDeficient)
	case stStartK:
		return fmt.Errorf("%w: %s at the starting point", qp.ErrNotConverged, stopReason(facK))
	case stInfeasible:
		return fmt.Errorf("%w (Farkas certificate found after %d iterations)", qp.ErrInfeasible, steps)
	case stNotConverged:
		if stop != facOK {
			return fmt.Errorf("%w: best residual score %.3g after %d iterations (stopped: %s)", qp.ErrNotConverged, best, steps, stopReason(stop))
		}
		return fmt.Errorf("%w: best residual score %.3g after %d iterations", qp.ErrNotConverged, best, steps)
	}
	return fmt.Errorf("%w: the GPU solver returned status %d", qp.ErrNotConverged, code)
}

func stopReason(f int) string {
	switch f {
	case facH:
		return "reduced Hessian not positive definite"
	case facP:
		return "equality Schur complement not positive definite"
	case facK:
		return "dual system not positive definite"
	}
	return fmt.Sprintf("factorisation failure %d", f)
}

// upload allocates device memory for x and copies it there (a null pointer
// for an empty slice).
func upload[T any](m *mem, st *cuda.Stream, x []T) (cuda.DevicePtr, error) {
	if len(x) == 0 {
		return 0, nil
	}
	var zero T
	ptr, err := m.alloc(len(x) * int(unsafe.Sizeof(zero)))
	if err != nil {
		return 0, err
	}
	return ptr, cuda.CopyToDevice(st, ptr, x)
}

// allocN allocates device memory for count elements of size bytes each.
func allocN(m *mem, count, size int) (cuda.DevicePtr, error) {
	return m.alloc(count * size)
}

// threadsFor returns the block size the solver uses for a problem.
func (s *Solver) threadsFor(n, m, k int) int {
	if s.threads > 0 {
		return s.threads
	}
	return threadsFor(n, m, k)
}

func (s *Solver) sharedLimitBytes() int {
	if s.sharedLimit > 0 {
		return min(s.sharedLimit, s.d.sharedLimit)
	}
	return s.d.sharedLimit
}

// forward runs the setup and IPM kernels (inside ctx.Do) and downloads the
// solution into sol. status holds ST_NONFINITE for items failed on the host
// and receives every item's status.
func (s *Solver) forward(ctx context.Context, f *factors, opt qp.Options, status []int64, sol *qp.Solution) ([]int64, []float64, error) {
	d := s.d
	st := d.stream
	p := f.p
	mm := f.mem
	batch, n, m, k := f.batch, f.n, f.m, f.k
	shared := int64(p.Shared) & 63
	qShared := p.Shared&qp.InputQ != 0
	allShared := qShared && (m == 0 || p.Shared&qp.InputG != 0) && (k == 0 || p.Shared&qp.InputA != 0)
	sw := &stopwatch{on: s.timing, st: st}
	sw.mark(d.ctx)
	var prm params
	prm.Batch, prm.N, prm.M, prm.K = int64(batch), int64(n), int64(m), int64(k)
	prm.Shared = shared
	prm.ForcePath = int64(s.forcePath)
	prm.Maxiter, prm.NotImprovedLimit = int64(opt.MaxIter), int64(opt.NotImprovedLimit)
	prm.Eps, prm.AcceptTol = opt.Eps, opt.AcceptTol
	var err error
	for _, in := range []struct {
		dst *cuda.DevicePtr
		x   []float64
	}{{&prm.Q, p.Q}, {&prm.P, p.P}, {&prm.G, p.G}, {&prm.H, p.H}, {&prm.A, p.A}, {&prm.B, p.B}} {
		if *in.dst, err = upload(mm, st, in.x); err != nil {
			return nil, nil, err
		}
	}
	nsetup := batch
	if allShared {
		nsetup = 1
	}
	prm.Nsetup = int64(nsetup)
	// Setup slices: qs, U (or Q̃), W, V, T, M0, scalars.
	prm.SoQs = 0
	prm.SoU = int64(n * n)
	prm.SoW = prm.SoU + int64(n*n)
	prm.SoV = prm.SoW + int64(n*(m+k))
	prm.SoT = prm.SoV + int64(k*k)
	prm.SoM0 = prm.SoT + int64(k*m)
	prm.SoScal = prm.SoM0 + int64(m*m)
	prm.SetupStride = prm.SoScal + setupScalars
	if prm.Setup, err = allocN(mm, nsetup*int(prm.SetupStride), 8); err != nil {
		return nil, nil, err
	}
	if prm.SetupStatus, err = upload(mm, st, make([]int64, nsetup)); err != nil {
		return nil, nil, err
	}
	if prm.Status, err = upload(mm, st, status); err != nil {
		return nil, nil, err
	}
	if prm.Iters, err = allocN(mm, batch, 8); err != nil {
		return nil, nil, err
	}
	if prm.Info, err = allocN(mm, 2*batch, 8); err != nil {
		return nil, nil, err
	}
	for _, a := range []struct {
		dst  *cuda.DevicePtr
		size int
	}{{&prm.Z, n}, {&prm.S, m}, {&prm.Lam, m}, {&prm.Nu, k}} {
		if *a.dst, err = allocN(mm, batch*max(a.size, 1), 8); err != nil {
			return nil, nil, err
		}
	}
	threads := s.threadsFor(n, m, k)
	f.threads = threads
	block := cuda.Dim3{X: threads}
	sw.mark(d.ctx)
	if qShared && !allShared {
		prm.UseQbase = 1
		if prm.Qbase, err = allocN(mm, 2*n*n+1, 8); err != nil {
			return nil, nil, err
		}
		if err := d.fn["qp_qbase"].Launch(cuda.Dim3{X: 1}, block, 0, st, unsafe.Pointer(&prm)); err != nil {
			return nil, nil, err
		}
	}
	if err := d.fn["qp_setup"].Launch(cuda.Dim3{X: nsetup}, block, 0, st, unsafe.Pointer(&prm)); err != nil {
		return nil, nil, err
	}
	// Which reductions are in use decides the arena's factor matrix.
	setupStatus := make([]int64, nsetup)
	if err := cuda.CopyFromDevice(st, setupStatus, prm.SetupStatus); err != nil {
		return nil, nil, err
	}
	for i, v := range setupStatus {
		if nsetup > 1 && status[i] != stOK {
			continue
		}
		f.dual = f.dual || v == 1
		f.primal = f.primal || v == 2
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	ar := layout(n, m, k, threads, f.dual, f.primal, k, s.sharedLimitBytes())
	prm.Off = ar.off
	prm.LdKf, prm.LdY, prm.LdPf = int64(ar.ldKf), int64(ar.ldY), int64(ar.ldPf)
	work := &mem{d: d}
	defer work.freeLocked()
	prm.WorkStride = int64(ar.workDoubles)
	if ar.workDoubles > 0 {
		if prm.Work, err = allocN(work, batch*ar.workDoubles, 8); err != nil {
			return nil, nil, err
		}
	}
	sw.mark(d.ctx)
	if err := d.fn["qp_ipm"].Launch(cuda.Dim3{X: batch}, block, ar.sharedBytes, st, unsafe.Pointer(&prm)); err != nil {
		return nil, nil, err
	}
	sw.mark(d.ctx)
	iters := make([]int64, batch)
	info := make([]float64, 2*batch)
	for _, c := range []struct {
		dst []float64
		src cuda.DevicePtr
	}{{sol.Z, prm.Z}, {sol.S, prm.S}, {sol.Lam, prm.Lam}, {sol.Nu, prm.Nu}, {info, prm.Info}} {
		if err := cuda.CopyFromDevice(st, c.dst, c.src); err != nil {
			return nil, nil, err
		}
	}
	if err := cuda.CopyFromDevice(st, status, prm.Status); err != nil {
		return nil, nil, err
	}
	if err := cuda.CopyFromDevice(st, iters, prm.Iters); err != nil {
		return nil, nil, err
	}
	sw.mark(d.ctx)
	if ph := sw.phases(); len(ph) == 4 {
		// Phases: uploads, setup (with the download of the paths), IPM,
		// downloads.
		s.setTimes(Timings{Upload: ph[0], Setup: ph[1], Solve: ph[2], Download: ph[3]})
	}
	prm.Work, prm.WorkStride = 0, 0
	f.prm = prm
	return iters, info, nil
}

// Backward computes the gradients of a loss with respect to the inputs of
// the solved problem from dz = ∂ℓ/∂z (B×n), on the GPU, reusing the
// factorisations kept on the device by Solve; see qp.Backward.
func (s *Solver) Backward(ctx context.Context, sol *qp.Solution, dz []float64) (*qp.Grads, error) {
	if sol == nil || sol.Problem == nil {
		return nil, errors.New("cudaqp: Backward needs a Solution returned by Solve")
	}
	f, ok := sol.Factors.(*factors)
	if !ok {
		return nil, errors.New("cudaqp: Backward: Solution was not produced by the CUDA solver")
	}
	n, m, k, batch := f.n, f.m, f.k, f.batch
	if len(dz) != batch*n {
		return nil, fmt.Errorf("%w: dz has %d elements, want %d (B=%d, n=%d)", qp.ErrShape, len(dz), batch*n, batch, n)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if f.released() {
		return nil, errors.New("cudaqp: Backward: the Solution was released")
	}
	p := f.p
	size := func(in qp.Input, sz int) int {
		if p.Shared&in != 0 {
			return sz
		}
		return batch * sz
	}
	g := &qp.Grads{
		Q: make([]float64, size(qp.InputQ, n*n)),
		P: make([]float64, size(qp.InputP, n)),
	}
	if m > 0 {
		g.G = make([]float64, size(qp.InputG, m*n))
		g.H = make([]float64, size(qp.InputH, m))
	}
	if k > 0 {
		g.A = make([]float64, size(qp.InputA, k*n))
		g.B = make([]float64, size(qp.InputB, k))
	}
	if !f.solved {
		// Every item failed before reaching the device: NaN rows for batched
		// inputs, zero sums for shared ones.
		for _, x := range []struct {
			v  []float64
			in qp.Input
		}{{g.Q, qp.InputQ}, {g.P, qp.InputP}, {g.G, qp.InputG}, {g.H, qp.InputH}, {g.A, qp.InputA}, {g.B, qp.InputB}} {
			if p.Shared&x.in == 0 {
				fillNaN(x.v)
			}
		}
		return g, nil
	}
	err := s.d.ctx.Do(func() error { return s.backward(f, dz, g) })
	if err != nil {
		return nil, err
	}
	return g, nil
}

func (s *Solver) backward(f *factors, dzIn []float64, g *qp.Grads) error {
	d := s.d
	st := d.stream
	batch, n, m, k := f.batch, f.n, f.m, f.k
	tmp := &mem{d: d}
	defer tmp.freeLocked()
	prm := f.prm
	sw := &stopwatch{on: s.timing, st: st}
	sw.mark(d.ctx)
	var err error
	if prm.Dl, err = upload(tmp, st, dzIn); err != nil {
		return err
	}
	for _, a := range []struct {
		dst  *cuda.DevicePtr
		size int
	}{{&prm.Bdz, n}, {&prm.Bw, m}, {&prm.Bdnu, k}} {
		if *a.dst, err = allocN(tmp, batch*max(a.size, 1), 8); err != nil {
			return err
		}
	}
	// The backward's primal path may treat any inequality as active: room
	// for k + m constraints in the Schur complement.
	ar := layout(n, m, k, f.threads, f.dual, f.primal, k+m, s.sharedLimitBytes())
	prm.Off = ar.off
	prm.LdKf, prm.LdY, prm.LdPf = int64(ar.ldKf), int64(ar.ldY), int64(ar.ldPf)
	prm.WorkStride = int64(ar.workDoubles)
	if ar.workDoubles > 0 {
		if prm.Work, err = allocN(tmp, batch*ar.workDoubles, 8); err != nil {
			return err
		}
	}
	outs := []struct {
		dst  *cuda.DevicePtr
		host []float64
	}{{&prm.GQ, g.Q}, {&prm.GP, g.P}, {&prm.GG, g.G}, {&prm.GH, g.H}, {&prm.GA, g.A}, {&prm.GB, g.B}}
	maxElems := 0
	for _, o := range outs {
		if len(o.host) > 0 {
			if *o.dst, err = allocN(tmp, len(o.host), 8); err != nil {
				return err
			}
			maxElems = max(maxElems, len(o.host))
		}
	}
	block := cuda.Dim3{X: f.threads}
	sw.mark(d.ctx)
	if err := d.fn["qp_backward"].Launch(cuda.Dim3{X: batch}, block, ar.sharedBytes, st, unsafe.Pointer(&prm)); err != nil {
		return err
	}
	const gt = 256
	if err := d.fn["qp_grads"].Launch(cuda.Dim3{X: (maxElems + gt - 1) / gt, Y: 6}, cuda.Dim3{X: gt}, 0, st, unsafe.Pointer(&prm)); err != nil {
		return err
	}
	sw.mark(d.ctx)
	for _, o := range outs {
		if err := cuda.CopyFromDevice(st, o.host, *o.dst); err != nil {
			return err
		}
	}
	sw.mark(d.ctx)
	if ph := sw.phases(); len(ph) == 3 {
		s.setTimes(Timings{Upload: ph[0], Solve: ph[1], Download: ph[2]})
	}
	return nil
}

func (s *Solver) setTimes(t Timings) {
	s.timesMu.Lock()
	s.times = t
	s.timesMu.Unlock()
}

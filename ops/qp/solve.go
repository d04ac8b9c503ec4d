package qp

import (
	"context"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
)

// factors is the CPU solver's Solution.Factors: the setups of the solved
// problem, reused by Backward.
type factors struct {
	d      dims
	shared *setup   // the one setup when Q, G and A are all shared
	items  []*setup // per-item setups otherwise
	opt    Options
}

func (f *factors) setupOf(i int) *setup {
	if f.shared != nil {
		return f.shared
	}
	return f.items[i]
}

func (p *Problem) item(d dims, i int) item {
	return item{
		p: itemOf(p.P, p.Shared&InputP != 0, d.n, i),
		g: itemOf(p.G, p.Shared&InputG != 0, d.m*d.n, i),
		h: itemOf(p.H, p.Shared&InputH != 0, d.m, i),
		a: itemOf(p.A, p.Shared&InputA != 0, d.k*d.n, i),
		b: itemOf(p.B, p.Shared&InputB != 0, d.k, i),
	}
}

// parallel runs fn(w, i) for i in [0, count) on up to workers goroutines,
// each with its own worker, items handed out one at a time.
func parallel(d dims, count, workers int, fn func(w *worker, i int)) {
	workers = min(workers, count)
	if workers <= 1 {
		w := newWorker(d)
		for i := 0; i < count; i++ {
			fn(w, i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			w := newWorker(d)
			for {
				i := int(next.Add(1) - 1)
				if i >= count {
					return
				}
				fn(w, i)
			}
		})
	}
	wg.Wait()
}

func solve(ctx context.Context, p *Problem, opt Options) (*Solution, error) {
	d, err := p.validate()
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	n, m, k, nb := d.n, d.m, d.k, d.batch
	sol := &Solution{
		Batch: nb, N: n, M: m, K: k,
		Z: make([]float64, nb*n), Lam: make([]float64, nb*m),
		Nu: make([]float64, nb*k), S: make([]float64, nb*m),
		Iterations: make([]int, nb),
		Status:     make([]error, nb),
		Problem:    p,
	}
	f := &factors{d: d, opt: opt}
	sol.Factors = f
	if bad := p.sharedNonFinite(); bad != "" {
		for i := range sol.Status {
			sol.Status[i] = fmt.Errorf("%w in %s", ErrNonFinite, bad)
		}
		return finish(sol, opt)
	}
	qShared := p.Shared&InputQ != 0
	allShared := qShared && (m == 0 || p.Shared&InputG != 0) && (k == 0 || p.Shared&InputA != 0)
	var base *qbase
	if qShared {
		base = newQBase(n, p.Q, nil, -1)
	}
	if allShared {
		f.shared = newSetup(newWorker(d), base, p.G, p.A, -1)
	} else {
		f.items = make([]*setup, nb)
	}

	done := ctx.Done()
	parallel(d, nb, opt.Workers, func(w *worker, i int) {
		select {
		case <-done:
			return
		default:
		}
		var nnz itemCounts
		if bad := p.itemNonFinite(d, i, &nnz); bad != "" {
			sol.Status[i] = fmt.Errorf("%w in %s", ErrNonFinite, bad)
			return
		}
		it := p.item(d, i)
		st := f.shared
		if st == nil {
			b := base
			if b == nil {
				b = newQBase(n, p.Q[i*n*n:(i+1)*n*n], &w.kf, nnz.q)
			}
			st = newSetup(w, b, it.g, it.a, nnz.g)
			f.items[i] = st
		}
		if st.err != nil {
			sol.Status[i] = st.err
			return
		}
		steps, err := w.ipm(done, st, &it, opt)
		sol.Iterations[i] = steps
		if err != nil {
			sol.Status[i] = err
			return
		}
		copy(sol.Z[i*n:], w.bz)
		copy(sol.S[i*m:], w.bs)
		copy(sol.Lam[i*m:], w.blam)
		copy(sol.Nu[i*k:], w.bnu)
	})
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return finish(sol, opt)
}

// finish turns the per-item statuses into the result: failed items get NaN
// rows and are listed in a *SolveError.
func finish(sol *Solution, opt Options) (*Solution, error) {
	n, m, k := sol.N, sol.M, sol.K
	var serr *SolveError
	for i, e := range sol.Status {
		if e == nil {
			continue
		}
		if serr == nil {
			serr = &SolveError{}
		}
		serr.Items = append(serr.Items, ItemError{Item: i, Reason: e})
		fillNaN(sol.Z[i*n : (i+1)*n])
		fillNaN(sol.S[i*m : (i+1)*m])
		fillNaN(sol.Lam[i*m : (i+1)*m])
		fillNaN(sol.Nu[i*k : (i+1)*k])
	}
	if serr == nil {
		return sol, nil
	}
	if opt.OnFailure == FailNaN {
		return sol, serr
	}
	return nil, serr
}

func fillNaN(x []float64) {
	for i := range x {
		x[i] = math.NaN()
	}
}

package main

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"strings"

	"github.com/optnet-go/optnet/models/internal/exp"
	"github.com/optnet-go/optnet/ops/qp"
)

// -explore: fast float64 training of OptNet-tuned TV variants with qp.Solve
// and qp.Backward directly (no ONNX graph), to compare ideas on subsets
// before full runs. Every variant is the TV QP over [y; t]
//
//	min ½‖y‖² − yᵀ(A x) + Σᵢ λᵢ tᵢ   s.t.   Dy − t ≤ 0,  −Dy − t ≤ 0
//
// initialised at TV (D = first differences, λᵢ = λ₀, A = I), with a chosen
// subset of {D (banded or dense, zero row sums), λᵢ (per-row weights),
// A (the coupling of the linear term)} learned by Adam on full-batch (or
// large-batch) gradients of the training MSE. The held-out set (the last
// 1,000 training signals, or 500 of them in subset mode) picks the best
// iterate (early stopping); the test set is only evaluated at that iterate.

// variant is one exploration setup.
type variant struct {
	Name    string
	Band    int     // -1: D fixed; b ≥ 0: D learned on columns i−b … i+1+b of row i; ≥ 99: dense
	RowW    bool    // learn per-row λᵢ
	Couple  bool    // learn A (100 × 100) in p = −A x
	ToepK   int     // > 0: A = I + Σ_{|k|≤ToepK} aₖ Sₖ + a_μ 11ᵀ/100 (shifts Sₖ, the mean): 2·ToepK+2 numbers learned
	Lambda0 float64 // initial λ
	LR      float64 // Adam step (all parameters are O(1): λᵢ = λ₀ wᵢ)
	Iters   int     // Adam steps
	Batch   int     // signals per gradient (0: the whole training subset)
	EpsTr   float64 // QP eps while training (0: default 1e-12)
	Reg     float64 // weight of ‖D − D₀‖² + ‖w − 1‖² + ‖A − I‖² in the loss
	Decay   float64 // lr multiplied by this over the run (cosine to Decay·lr)
}

// variants are the setups -explore knows, by name.
var variants = map[string]variant{
	"tv":         {Band: -1},
	"w":          {Band: -1, RowW: true, LR: 0.02, Iters: 150},
	"w-eps6":     {Band: -1, RowW: true, LR: 0.02, Iters: 150, EpsTr: 1e-6},
	"band0":      {Band: 0, LR: 0.01, Iters: 150},
	"band1":      {Band: 1, LR: 0.003, Iters: 150},
	"band1w":     {Band: 1, RowW: true, LR: 0.003, Iters: 150},
	"band2w":     {Band: 2, RowW: true, LR: 0.003, Iters: 150},
	"band1w-e6":  {Band: 1, RowW: true, LR: 0.003, Iters: 150, EpsTr: 1e-6},
	"couple":     {Band: -1, Couple: true, LR: 0.001, Iters: 150},
	"couple-w":   {Band: -1, Couple: true, RowW: true, LR: 0.001, Iters: 150},
	"couple-b1w": {Band: 1, Couple: true, RowW: true, LR: 0.001, Iters: 150},
	"toep2":      {Band: -1, Couple: true, ToepK: 2, LR: 0.003, Iters: 150},
	"toep2w":     {Band: -1, Couple: true, ToepK: 2, RowW: true, LR: 0.003, Iters: 150},
	"toep5w":     {Band: -1, Couple: true, ToepK: 5, RowW: true, LR: 0.003, Iters: 150},
	"couple-r":   {Band: -1, Couple: true, LR: 0.001, Iters: 150, Reg: 1},
	"dense":      {Band: 99, LR: 0.001, Iters: 60},
	"dense-w":    {Band: 99, RowW: true, LR: 0.001, Iters: 60},
}

// params are the learned quantities of a variant (all of them, fixed or not).
type params struct {
	D []float64 // 99 × 100
	W []float64 // 99: λᵢ = λ₀ Wᵢ
	A []float64 // 100 × 100
	T []float64 // ToepK variants: a₋ₖ … aₖ, a_μ (A is built from them)
}

func (p params) vecs() [][]float64 { return [][]float64{p.D, p.W, p.A, p.T} }

func (p params) clone() params {
	c := func(v []float64) []float64 { return append([]float64(nil), v...) }
	return params{D: c(p.D), W: c(p.W), A: c(p.A), T: c(p.T)}
}

func initParams() params {
	w := make([]float64, sigLen-1)
	for i := range w {
		w[i] = 1
	}
	return params{D: firstDifferences(), W: w, A: exp.Eye(sigLen, 1), T: make([]float64, 2*maxToep+2)}
}

// maxToep bounds ToepK (the length of params.T).
const maxToep = 10

// toepA builds A from T: I + Σ aₖ Sₖ + a_μ 11ᵀ/100, (Sₖ)ᵢⱼ = 1 for j = i + k.
func toepA(t []float64, k int) []float64 {
	a := exp.Eye(sigLen, 1)
	for i := 0; i < sigLen; i++ {
		for o := -k; o <= k; o++ {
			if j := i + o; j >= 0 && j < sigLen {
				a[i*sigLen+j] += t[o+maxToep]
			}
		}
		for j := 0; j < sigLen; j++ {
			a[i*sigLen+j] += t[2*maxToep+1] / sigLen
		}
	}
	return a
}

// toepGrad folds a gradient with respect to A into T.
func toepGrad(ga, gt []float64, k int) {
	for i := 0; i < sigLen; i++ {
		for o := -k; o <= k; o++ {
			if j := i + o; j >= 0 && j < sigLen {
				gt[o+maxToep] += ga[i*sigLen+j]
			}
		}
		for j := 0; j < sigLen; j++ {
			gt[2*maxToep+1] += ga[i*sigLen+j] / sigLen
		}
	}
	for i := range ga {
		ga[i] = 0
	}
}

// bandMask is 1 on the entries of D a variant may change.
func bandMask(band int) []float64 {
	m := make([]float64, (sigLen-1)*sigLen)
	for i := 0; i < sigLen-1; i++ {
		for j := 0; j < sigLen; j++ {
			if band >= 99 || (j >= i-band && j <= i+1+band) {
				m[i*sigLen+j] = 1
			}
		}
	}
	return m
}

// projectD keeps g inside the variant's subspace of D: zero outside the
// band, zero row sums inside it.
func projectD(g, mask []float64) {
	for i := 0; i < sigLen-1; i++ {
		s, c := 0.0, 0.0
		for j := 0; j < sigLen; j++ {
			k := i*sigLen + j
			g[k] *= mask[k]
			s += g[k]
			c += mask[k]
		}
		for j := 0; j < sigLen; j++ {
			k := i*sigLen + j
			g[k] -= mask[k] * s / c
		}
	}
}

// lossGrad is the MSE of the variant's QP with parameters p over the
// signals (x, clean) and, with grad, its gradient (zero for the parts the
// variant does not learn), solved in batches of 150 with QP eps eps.
func lossGrad(ctx context.Context, v variant, p params, lambda0 float64, x, clean []float64, grad bool, eps float64) (float64, params, error) {
	n := len(x) / sigLen
	var g params
	if grad {
		g = params{}.zeros()
	}
	G := tvG(p.D)
	Q := tvQ()
	H := make([]float64, qpM)
	loss := 0.0
	for lo := 0; lo < n; lo += 150 {
		hi := min(lo+150, n)
		b := hi - lo
		pv := make([]float64, b*qpN)
		for i := 0; i < b; i++ {
			xi := x[(lo+i)*sigLen : (lo+i+1)*sigLen]
			for r := 0; r < sigLen; r++ {
				if v.Couple {
					s := 0.0
					for c, a := range p.A[r*sigLen : (r+1)*sigLen] {
						s += a * xi[c]
					}
					pv[i*qpN+r] = -s
				} else {
					pv[i*qpN+r] = -xi[r]
				}
			}
			for r := 0; r < sigLen-1; r++ {
				pv[i*qpN+sigLen+r] = lambda0 * p.W[r]
			}
		}
		pr := &qp.Problem{Batch: b, N: qpN, M: qpM, Q: Q, P: pv, G: G, H: H, Shared: qp.InputQ | qp.InputG | qp.InputH}
		sol, err := qp.Solve(ctx, pr, qp.Options{Eps: eps})
		if err != nil {
			return 0, g, err
		}
		dz := make([]float64, b*qpN)
		for i := 0; i < b; i++ {
			for j := 0; j < sigLen; j++ {
				r := sol.Z[i*qpN+j] - clean[(lo+i)*sigLen+j]
				loss += r * r
				dz[i*qpN+j] = 2 * r / float64(n*sigLen)
			}
		}
		if !grad {
			continue
		}
		gr, err := qp.Backward(ctx, sol, dz)
		if err != nil {
			return 0, g, err
		}
		if v.Band >= 0 {
			for i := 0; i < sigLen-1; i++ {
				for j := 0; j < sigLen; j++ {
					g.D[i*sigLen+j] += gr.G[i*qpN+j] - gr.G[(sigLen-1+i)*qpN+j]
				}
			}
		}
		for i := 0; i < b; i++ {
			if v.RowW {
				for r := 0; r < sigLen-1; r++ {
					g.W[r] += lambda0 * gr.P[i*qpN+sigLen+r]
				}
			}
			if v.Couple {
				xi := x[(lo+i)*sigLen : (lo+i+1)*sigLen]
				for r := 0; r < sigLen; r++ {
					gp := -gr.P[i*qpN+r]
					for c := 0; c < sigLen; c++ {
						g.A[r*sigLen+c] += gp * xi[c]
					}
				}
			}
		}
	}
	return loss / float64(n*sigLen), g, nil
}

// exploreSets are the signals of an exploration: training, held-out (from
// the training split) and test.
type exploreSets struct {
	x, c, hx, hc, tx, tc []float64
}

func exploreData(full bool) exploreSets {
	tr, te := loadData(false)
	nTr, hLo, hHi, nTe := 1500, 8000, 8500, 500
	if full {
		nTr, hLo, hHi, nTe = 8000, 8000, 9000, 1000
	}
	return exploreSets{
		x: f64s(tr.X[:nTr*sigLen]), c: f64s(tr.Y[:nTr*sigLen]),
		hx: f64s(tr.X[hLo*sigLen : hHi*sigLen]), hc: f64s(tr.Y[hLo*sigLen : hHi*sigLen]),
		tx: f64s(te.X[:nTe*sigLen]), tc: f64s(te.Y[:nTe*sigLen]),
	}
}

// runExplore trains each named variant and appends a row per variant to
// explore.csv in -out.
func runExplore(ctx context.Context, cfg config, names string, full bool, lambda0 float64) error {
	sets := exploreData(full)
	log, err := exp.NewLog(filepath.Join(cfg.out, "explore_"+map[bool]string{false: "subset", true: "full"}[full]+".csv"),
		"variant", "lambda0", "lr", "iters", "best_iter", "train_mse", "heldout_mse", "test_mse", "seconds")
	if err != nil {
		return err
	}
	defer log.Close()
	for i, name := range strings.Split(names, ",") {
		v, ok := variants[name]
		if !ok {
			return fmt.Errorf("unknown variant %q", name)
		}
		v.Name = name
		if v.Lambda0 == 0 {
			v.Lambda0 = lambda0
		}
		if cfg.lr > 0 {
			v.LR = cfg.lr
		}
		if cfg.epochs > 0 {
			v.Iters = cfg.epochs
		}
		if cfg.batch != 150 {
			v.Batch = cfg.batch
		}
		t := exp.StartTimer()
		best, bestIt, trm, hom, err := trainVariant(ctx, cfg, v, sets)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		tem, _, err := lossGrad(ctx, v, best, v.Lambda0, sets.tx, sets.tc, false, 0)
		if err != nil {
			return err
		}
		fmt.Fprintf(cfg.log, "== %s: best iter %d: train %.4f held-out %.4f test %.4f (%.0fs)\n", name, bestIt, trm, hom, tem, t.Seconds())
		if err := log.Row(float64(i), v.Lambda0, v.LR, float64(v.Iters), float64(bestIt), trm, hom, tem, t.Seconds()); err != nil {
			return err
		}
		if err := exp.SaveJSON(filepath.Join(cfg.out, "explore_"+name+".json"), best); err != nil {
			return err
		}
	}
	return nil
}

// trainVariant runs Adam on v and returns the iterate with the lowest
// held-out MSE (checked every 5 steps), with its train and held-out MSE.
func trainVariant(ctx context.Context, cfg config, v variant, s exploreSets) (params, int, float64, float64, error) {
	p := initParams()
	mask := bandMask(max(v.Band, 0))
	d0 := firstDifferences()
	eye := exp.Eye(sigLen, 1)
	ones := append([]float64(nil), p.W...)
	m, vv := params{}.zeros(), params{}.zeros()
	evalHeld := func() (float64, error) {
		l, _, err := lossGrad(ctx, v, p, v.Lambda0, s.hx, s.hc, false, 0)
		return l, err
	}
	bestHeld, err := evalHeld()
	if err != nil {
		return p, 0, 0, 0, err
	}
	best, bestIt := p.clone(), 0
	fmt.Fprintf(cfg.log, "%s: start held-out %.4f\n", v.Name, bestHeld)
	n := len(s.x) / sigLen
	bs := v.Batch
	if bs <= 0 || bs > n {
		bs = n
	}
	const b1, b2 = 0.9, 0.999
	for it := 1; it <= v.Iters; it++ {
		lo := ((it - 1) * bs) % n
		if lo+bs > n {
			lo = 0
		}
		loss, g, err := lossGrad(ctx, v, p, v.Lambda0, s.x[lo*sigLen:(lo+bs)*sigLen], s.c[lo*sigLen:(lo+bs)*sigLen], true, v.EpsTr)
		if err != nil {
			return p, 0, 0, 0, err
		}
		if v.Reg > 0 {
			for k := range g.D {
				g.D[k] += 2 * v.Reg * (p.D[k] - d0[k])
			}
			for k := range g.W {
				g.W[k] += 2 * v.Reg * (p.W[k] - ones[k])
			}
			for k := range g.A {
				g.A[k] += 2 * v.Reg * (p.A[k] - eye[k])
			}
		}
		if v.Band >= 0 {
			projectD(g.D, mask)
		}
		if v.ToepK > 0 {
			toepGrad(g.A, g.T, v.ToepK)
		}
		lr := v.LR
		if v.Decay > 0 {
			lr = v.LR * (v.Decay + (1-v.Decay)*0.5*(1+math.Cos(math.Pi*float64(it-1)/float64(v.Iters))))
		}
		c1, c2 := 1-math.Pow(b1, float64(it)), 1-math.Pow(b2, float64(it))
		pv, gv, mv, vvv := p.vecs(), g.vecs(), m.vecs(), vv.vecs()
		for a := range pv {
			for k := range pv[a] {
				mv[a][k] = b1*mv[a][k] + (1-b1)*gv[a][k]
				vvv[a][k] = b2*vvv[a][k] + (1-b2)*gv[a][k]*gv[a][k]
				pv[a][k] -= lr * (mv[a][k] / c1) / (math.Sqrt(vvv[a][k]/c2) + 1e-12)
			}
		}
		if v.Band >= 0 {
			projectD(p.D, mask) // D₀ is in the subspace, so D − D₀ is projected
		}
		if v.ToepK > 0 {
			p.A = toepA(p.T, v.ToepK)
		}
		if it%5 == 0 || it == v.Iters {
			h, err := evalHeld()
			if err != nil {
				return p, 0, 0, 0, err
			}
			fmt.Fprintf(cfg.log, "%s it %d: batch loss %.4f held-out %.4f\n", v.Name, it, loss, h)
			if h < bestHeld {
				bestHeld, best, bestIt = h, p.clone(), it
			}
		}
	}
	trm, _, err := lossGrad(ctx, v, best, v.Lambda0, s.x, s.c, false, 0)
	return best, bestIt, trm, bestHeld, err
}

func (params) zeros() params {
	return params{D: make([]float64, (sigLen-1)*sigLen), W: make([]float64, sigLen-1), A: make([]float64, sigLen*sigLen), T: make([]float64, 2*maxToep+2)}
}

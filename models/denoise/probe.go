package main

import (
	"context"
	"fmt"
	"math"
	"path/filepath"

	"github.com/optnet-go/optnet/models/internal/exp"
	"github.com/optnet-go/optnet/ops/qp"
)

// Probes of the TV loss around the first-difference D (-probe): how the
// MSE changes when D moves in a few structured directions and along the
// training gradient. They explain why tuning D gains little on this data
// (RESULTS.md). Everything is solved in float64 with qp.Solve directly.

// probeLambda is the TV λ the probes use (the search's best).
const probeLambda = 21

// tvSolve solves the TV QP with difference matrix d for the signals x
// (rows of length 100) and returns the solution.
func tvSolve(ctx context.Context, d, x []float64, lambda float64) (*qp.Solution, error) {
	b := len(x) / sigLen
	p := make([]float64, b*qpN)
	for i := 0; i < b; i++ {
		for j := 0; j < sigLen; j++ {
			p[i*qpN+j] = -x[i*sigLen+j]
		}
		for j := sigLen; j < qpN; j++ {
			p[i*qpN+j] = lambda
		}
	}
	pr := &qp.Problem{Batch: b, N: qpN, M: qpM, Q: tvQ(), P: p, G: tvG(d), H: make([]float64, qpM), Shared: qp.InputQ | qp.InputG | qp.InputH}
	return qp.Solve(ctx, pr, qp.Options{})
}

// tvLossGrad is the MSE of TV with d over (x, clean) and, when grad is
// set, its gradient with respect to d (through G = [[D, −I], [−D, −I]]).
func tvLossGrad(ctx context.Context, d, x, clean []float64, grad bool) (float64, []float64, error) {
	sol, err := tvSolve(ctx, d, x, probeLambda)
	if err != nil {
		return 0, nil, err
	}
	b := len(x) / sigLen
	loss := 0.0
	dz := make([]float64, b*qpN)
	for i := 0; i < b; i++ {
		for j := 0; j < sigLen; j++ {
			r := sol.Z[i*qpN+j] - clean[i*sigLen+j]
			loss += r * r
			dz[i*qpN+j] = 2 * r / float64(b*sigLen)
		}
	}
	loss /= float64(b * sigLen)
	if !grad {
		return loss, nil, nil
	}
	g, err := qp.Backward(ctx, sol, dz)
	if err != nil {
		return 0, nil, err
	}
	gd := make([]float64, len(d))
	for i := 0; i < sigLen-1; i++ {
		for j := 0; j < sigLen; j++ {
			gd[i*sigLen+j] = g.G[i*qpN+j] - g.G[(sigLen-1+i)*qpN+j]
		}
	}
	return loss, gd, nil
}

// zeroRowSums subtracts each row's mean, as the tuned TV graph does.
func zeroRowSums(d []float64) {
	for i := 0; i < len(d)/sigLen; i++ {
		m := 0.0
		for _, v := range d[i*sigLen : (i+1)*sigLen] {
			m += v
		}
		for j := i * sigLen; j < (i+1)*sigLen; j++ {
			d[j] -= m / sigLen
		}
	}
}

func f64s(v []float32) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
}

// runProbes writes probe.csv: kind (0 TV, 1 wider stencil with weight a,
// 2 first and last b rows scaled by a, 3 step a along the gradient of norm
// b, 4 cosine b of batch a's gradient with the average), train MSE (first
// 600 training signals), test MSE (first 500 test signals).
func runProbes(ctx context.Context, cfg config) error {
	trainSet, testSet := loadData(cfg.quick)
	nTr, nTe := min(600, trainSet.Len()), min(500, testSet.Len())
	x, c := f64s(trainSet.X[:nTr*sigLen]), f64s(trainSet.Y[:nTr*sigLen])
	tx, tc := f64s(testSet.X[:nTe*sigLen]), f64s(testSet.Y[:nTe*sigLen])
	log, err := exp.NewLog(filepath.Join(cfg.out, "probe.csv"), "probe", "a", "b", "train_mse_600", "test_mse_500")
	if err != nil {
		return err
	}
	defer log.Close()
	kinds := map[string]float64{"tv": 0, "wide": 1, "edges": 2, "gradient": 3, "cosine": 4}
	eval := func(kind string, a, b float64, d []float64) error {
		tr, _, err := tvLossGrad(ctx, d, x, c, false)
		if err != nil {
			return err
		}
		te, _, err := tvLossGrad(ctx, d, tx, tc, false)
		if err != nil {
			return err
		}
		fmt.Fprintf(cfg.log, "%-8s a=%-6g b=%-6g train MSE %.4f  test MSE %.4f\n", kind, a, b, tr, te)
		return log.Row(kinds[kind], a, b, tr, te)
	}
	d0 := firstDifferences()
	if err := eval("tv", 0, probeLambda, d0); err != nil {
		return err
	}
	// Wider stencils: row i += β·(y[i+3] + y[i+4] − y[i−2] − y[i−3]), the
	// pattern the first Adam steps start to build.
	for _, beta := range []float64{0.05, 0.1, 0.2} {
		d := firstDifferences()
		for i := 0; i < sigLen-1; i++ {
			for k, o := range []int{-3, -2, 3, 4} {
				if j := i + o; j >= 0 && j < sigLen {
					d[i*sigLen+j] += beta * []float64{-1, -1, 1, 1}[k]
				}
			}
		}
		zeroRowSums(d)
		if err := eval("wide", beta, 0, d); err != nil {
			return err
		}
	}
	// Position-dependent λ near the ends: the first and last k rows scaled.
	for _, k := range []int{3, 10} {
		for _, a := range []float64{0.5, 0.8, 1.25} {
			d := firstDifferences()
			for i := 0; i < sigLen-1; i++ {
				if i < k || i >= sigLen-1-k {
					for j := 0; j < sigLen; j++ {
						d[i*sigLen+j] *= a
					}
				}
			}
			if err := eval("edges", a, float64(k), d); err != nil {
				return err
			}
		}
	}
	// Steps along the (zero-row-sum) training gradient at D₀, computed on
	// the same 600 training signals in batches of 150.
	g := make([]float64, len(d0))
	nb := 0
	var batchGrads [][]float64
	for lo := 0; lo+150 <= nTr; lo += 150 {
		_, gb, err := tvLossGrad(ctx, d0, x[lo*sigLen:(lo+150)*sigLen], c[lo*sigLen:(lo+150)*sigLen], true)
		if err != nil {
			return err
		}
		for i := range g {
			g[i] += gb[i]
		}
		batchGrads = append(batchGrads, gb)
		nb++
	}
	zeroRowSums(g)
	norm := 0.0
	for i := range g {
		g[i] /= float64(max(nb, 1))
		norm += g[i] * g[i]
	}
	norm = math.Sqrt(norm)
	// How well single batches agree with the average: cosines.
	for k, gb := range batchGrads {
		zeroRowSums(gb)
		dot, nn := 0.0, 0.0
		for i := range gb {
			dot += gb[i] * g[i]
			nn += gb[i] * gb[i]
		}
		cos := dot / (math.Sqrt(nn) * norm)
		fmt.Fprintf(cfg.log, "batch %d: cosine with the %d-signal gradient %.3f\n", k, nTr, cos)
		if err := log.Row(kinds["cosine"], float64(k), cos, math.NaN(), math.NaN()); err != nil {
			return err
		}
	}
	fmt.Fprintf(cfg.log, "gradient norm %.4g; first-order prediction of the train MSE change per unit step: %.4g\n", norm, -norm)
	for _, a := range []float64{0.003, 0.01, 0.03, 0.1} {
		d := make([]float64, len(d0))
		for i := range d {
			d[i] = d0[i] - a*g[i]/norm
		}
		if err := eval("gradient", a, norm, d); err != nil {
			return err
		}
	}
	return nil
}

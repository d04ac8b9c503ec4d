package main

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/optnet-go/optnet/importer"
	"github.com/optnet-go/optnet/models/internal/exp"
	"github.com/optnet-go/optnet/ops/qp"
	"github.com/optnet-go/optnet/train"
)

// Benchmarks of the denoising shapes (batch 150), quoted in RESULTS.md:
//
//	go test ./models/denoise -run '^$' -bench . -benchtime 5x

func benchSignals(b *testing.B) []float64 {
	trainSet, _ := loadData(false)
	return f64s(trainSet.X[:150*sigLen])
}

// BenchmarkTVForward: qp.Solve on the TV QP (sparse G, primal path).
func BenchmarkTVForward(b *testing.B) {
	x := benchSignals(b)
	for b.Loop() {
		if _, err := tvSolve(context.Background(), firstDifferences(), x, probeLambda); err != nil {
			b.Fatal(err)
		}
	}
}

// denseD is D₀ with every entry perturbed (as after the first Adam step).
func denseD() []float64 {
	d := firstDifferences()
	rng := rand.New(rand.NewPCG(1, 1))
	for i := range d {
		d[i] += 1e-4 * rng.NormFloat64()
	}
	return d
}

// BenchmarkTVForwardDenseD: qp.Solve on the TV QP with a dense D.
func BenchmarkTVForwardDenseD(b *testing.B) {
	x := benchSignals(b)
	d := denseD()
	for b.Loop() {
		if _, err := tvSolve(context.Background(), d, x, probeLambda); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTVBackward: qp.Backward on the TV QP's solution.
func BenchmarkTVBackward(b *testing.B) {
	x := benchSignals(b)
	sol, err := tvSolve(context.Background(), firstDifferences(), x, probeLambda)
	if err != nil {
		b.Fatal(err)
	}
	dz := make([]float64, len(sol.Z))
	for i := range dz {
		dz[i] = 1e-3
	}
	for b.Loop() {
		if _, err := qp.Backward(context.Background(), sol, dz); err != nil {
			b.Fatal(err)
		}
	}
}

// benchStep times training steps of a model on one batch of 150.
func benchStep(b *testing.B, g *graph) {
	trainSet, _ := loadData(false)
	by, err := g.b.Bytes()
	if err != nil {
		b.Fatal(err)
	}
	m, err := importer.LoadBytes(by)
	if err != nil {
		b.Fatal(err)
	}
	tr, err := train.New(m, train.Options{Loss: train.MSE{}, Optimizer: &train.SGD{}, LR: 1e-50, Params: g.params})
	if err != nil {
		b.Fatal(err)
	}
	batch := trainSet.Batch(exp.InOrder(150, 150)[0])
	for b.Loop() {
		if _, err := tr.Step(context.Background(), batch); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTunedTVStepSparseD: a training step of tuned TV at D₀ (SGD at
// a rate of 1e-50: the float32 updates of D's zeros underflow, so D stays
// sparse).
func BenchmarkTunedTVStepSparseD(b *testing.B) {
	benchStep(b, buildTV(probeLambda, firstDifferences(), true))
}

// BenchmarkTunedTVStepDenseD: the same with every entry of D nonzero, as
// after the first Adam step.
func BenchmarkTunedTVStepDenseD(b *testing.B) {
	benchStep(b, buildTV(probeLambda, denseD(), true))
}

// BenchmarkOptNetStep: a training step of the pure OptNet denoiser.
func BenchmarkOptNetStep(b *testing.B) {
	benchStep(b, buildOptNet(1, optnetEps))
}

package train

import (
	"context"
	"math/rand/v2"
	"runtime"
	"runtime/debug"
	"testing"

	"github.com/optnet-go/optnet/importer"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// Training-step benchmarks (scripts/bench_train.sh compares them with
// PyTorch): one Adam step on cross-entropy, float32, including the
// forward pass, the loss, the backward pass and the update.
//
//	go test -run '^$' -bench TrainStep -benchtime 100x ./train

func benchBatch(dt tensor.DType, seed uint64, classes int, shape ...int) Batch {
	rng := rand.New(rand.NewPCG(seed, 8))
	x := randTensor(rng, dt, 1, shape...)
	labels := make([]int64, shape[0])
	for i := range labels {
		labels[i] = int64(rng.IntN(classes))
	}
	return Batch{Inputs: map[string]*tensor.Tensor{"x": x}, Target: tensor.MustFromSlice([]int{shape[0]}, labels)}
}

func benchStep(b *testing.B, m *importer.Model, batch Batch, loss Loss) {
	tr, err := New(m, Options{Loss: loss, Optimizer: &Adam{}, LR: 1e-3})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for i := 0; i < 3; i++ { // warm up: optimizer state, pools
		if _, err := tr.Step(ctx, batch); err != nil {
			b.Fatal(err)
		}
	}
	allocated, retained := stepHeap(b, tr, batch)
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuNanos()
	for i := 0; i < b.N; i++ {
		if _, err := tr.Step(ctx, batch); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(cpuNanos()-cpu0)/float64(b.N)/1e6, "cpu-ms/op")
	b.ReportMetric(float64(allocated)/(1<<20), "step-MB")
	b.ReportMetric(float64(retained)/(1<<20), "kept-MB")
}

// stepHeap measures one step with the garbage collector off, after a
// first step that warms the buffer pools (GEMM packing): allocated is
// every byte the step allocates (an upper bound of its peak heap above
// the trainer's steady state), retained what is still reachable after it
// and two collections, compared with before the two steps (≤ 0: a step
// keeps nothing once it returns).
func stepHeap(tb testing.TB, tr *Trainer, batch Batch) (allocated, retained int64) {
	var base, before, after runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&base)
	old := debug.SetGCPercent(-1)
	for i := 0; i < 2; i++ {
		runtime.ReadMemStats(&before)
		if _, err := tr.Step(context.Background(), batch); err != nil {
			debug.SetGCPercent(old)
			tb.Fatal(err)
		}
	}
	runtime.ReadMemStats(&after)
	debug.SetGCPercent(old)
	allocated = int64(after.HeapAlloc) - int64(before.HeapAlloc)
	runtime.GC()
	runtime.GC() // a second cycle also drops sync.Pool victims
	runtime.ReadMemStats(&after)
	retained = int64(after.HeapAlloc) - int64(base.HeapAlloc)
	return allocated, retained
}

func BenchmarkTrainStepMLP(b *testing.B) {
	m := mlpModel(b, tensor.Float32, 1, 784, 256, 256, 10)
	benchStep(b, m, benchBatch(tensor.Float32, 1, 10, 128, 784), CrossEntropy{})
}

func BenchmarkTrainStepCNN(b *testing.B) {
	m := cnnModel(b, tensor.Float32, 1)
	benchStep(b, m, benchBatch(tensor.Float32, 2, 10, 64, 1, 28, 28), CrossEntropy{})
}

func BenchmarkTrainStepLinQP(b *testing.B) {
	m := linQPModel(b, tensor.Float32, 1, 20, 50, 50, 10)
	benchStep(b, m, benchBatch(tensor.Float32, 3, 10, 128, 20), CrossEntropy{})
}

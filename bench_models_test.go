package optnet_test

import (
	"context"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/optnet-go/optnet"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// The whole-model benchmark's models (torchvision CNNs exported by
// scripts/bench_models.sh into the git-ignored .bench/models) are used when
// present; without them these tests and benchmarks skip.

var benchModels = []string{"squeezenet1_1", "mobilenet_v2", "resnet18", "resnet18_bn"}

// loadBenchModel returns the compiled model, its input and PyTorch's
// output, or skips.
func loadBenchModel(tb testing.TB, name string) (run func() (*tensor.Tensor, error), want []float32) {
	tb.Helper()
	base := filepath.Join(".bench", "models", name)
	if _, err := os.Stat(base + ".onnx"); err != nil {
		tb.Skipf("%s.onnx not found: run scripts/bench_models.sh to export the models", base)
	}
	m, err := optnet.Load(base + ".onnx")
	if err != nil {
		tb.Fatal(err)
	}
	x := readF32(tb, base+".input.bin")
	want = readF32(tb, base+".torch.bin")
	xt := tensor.MustFromSlice([]int{1, 3, 224, 224}, x)
	in := map[string]*tensor.Tensor{m.Inputs()[0].Name: xt}
	out := m.Outputs()[0].Name
	return func() (*tensor.Tensor, error) {
		o, err := m.Run(context.Background(), in)
		if err != nil {
			return nil, err
		}
		return o[out], nil
	}, want
}

func readF32(tb testing.TB, path string) []float32 {
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	v := make([]float32, len(b)/4)
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return v
}

// TestBenchModelsMatchPyTorch checks optnet's outputs on the benchmark
// models against PyTorch's, twice (the second run reuses recycled
// buffers).
func TestBenchModelsMatchPyTorch(t *testing.T) {
	for _, name := range benchModels {
		t.Run(name, func(t *testing.T) {
			run, want := loadBenchModel(t, name)
			for range 2 {
				y, err := run()
				if err != nil {
					t.Fatal(err)
				}
				got := tensor.Data[float32](y)
				if len(got) != len(want) {
					t.Fatalf("%d outputs, want %d", len(got), len(want))
				}
				scale := 0.0
				for _, v := range want {
					scale = max(scale, math.Abs(float64(v)))
				}
				for i := range want {
					if d := math.Abs(float64(got[i] - want[i])); d > 1e-4*max(1, scale) {
						t.Fatalf("output %d = %v, PyTorch %v", i, got[i], want[i])
					}
				}
			}
		})
	}
}

// BenchmarkModels times one inference of each benchmark model (threads:
// GOMAXPROCS, e.g. go test -cpu 2).
func BenchmarkModels(b *testing.B) {
	for _, name := range benchModels {
		b.Run(name, func(b *testing.B) {
			run, _ := loadBenchModel(b, name)
			if _, err := run(); err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if _, err := run(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

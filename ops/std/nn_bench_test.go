package std

import (
	"context"
	"math/rand"
	"testing"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// Benchmarks of the dense kernels. They build the node once and time the
// kernel's Run, reporting GFLOP/s (2 flops per multiply-add).

func nnBenchKernel(b *testing.B, op string, version int, attrs []runtime.Attribute, flops float64, in ...*tensor.Tensor) {
	ctx := context.Background()
	_, k, err := runtime.RunNode(ctx, testRegistry(), opNode(op, in, 1, attrs...), version, in, runtime.RunOptions{})
	if err != nil {
		b.Fatal(err)
	}
	rc := runtime.NewRunContext(ctx, runtime.RunOptions{})
	b.ResetTimer()
	cpu0 := nnCPUNanos()
	for i := 0; i < b.N; i++ {
		if _, err := k.Run(rc, in); err != nil {
			b.Fatal(err)
		}
	}
	nnReport(b, flops, cpu0)
}

// nnReport adds GFLOP/s (from wall time) and CPU time per op.
func nnReport(b *testing.B, flops float64, cpu0 int64) {
	b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	b.ReportMetric(float64(nnCPUNanos()-cpu0)/float64(b.N), "cpu-ns/op")
}

// BenchmarkGemm256 is Gemm of 256×256 by 256×256 float32 matrices.
func BenchmarkGemm256(b *testing.B) {
	rng := rand.New(rand.NewSource(1))
	x, y := nnRandF32(rng, -1, 1, 256, 256), nnRandF32(rng, -1, 1, 256, 256)
	nnBenchKernel(b, "Gemm", 13, nil, 2*256*256*256, x, y)
}

// BenchmarkGemm256Naive is the same product as a plain i-k-j loop on one
// core: the baseline the blocked kernels are measured against.
func BenchmarkGemm256Naive(b *testing.B) {
	rng := rand.New(rand.NewSource(1))
	x, y := nnRandF32(rng, -1, 1, 256, 256), nnRandF32(rng, -1, 1, 256, 256)
	a, bb := tensor.Data[float32](x), tensor.Data[float32](y)
	c := make([]float32, 256*256)
	b.ResetTimer()
	cpu0 := nnCPUNanos()
	for it := 0; it < b.N; it++ {
		clear(c)
		for i := 0; i < 256; i++ {
			row := c[i*256 : (i+1)*256]
			for p := 0; p < 256; p++ {
				av := a[i*256+p]
				for j, bv := range bb[p*256 : (p+1)*256] {
					row[j] += av * bv
				}
			}
		}
	}
	nnReport(b, 2*256*256*256, cpu0)
}

// BenchmarkConv3x3 is a 3×3 convolution of 64 to 64 channels over a
// 56×56 image (batch 1, pads 1), float32 with bias.
func BenchmarkConv3x3(b *testing.B) {
	rng := rand.New(rand.NewSource(2))
	x, w, bias := nnRandF32(rng, -1, 1, 1, 64, 56, 56), nnRandF32(rng, -1, 1, 64, 64, 3, 3), nnRandF32(rng, -1, 1, 64)
	attrs := attrsOf(attrInts("pads", 1, 1, 1, 1))
	nnBenchKernel(b, "Conv", 11, attrs, 2*64*64*9*56*56, x, w, bias)
}

// BenchmarkConv3x3Batch8 is the same convolution over a batch of 8.
func BenchmarkConv3x3Batch8(b *testing.B) {
	rng := rand.New(rand.NewSource(3))
	x, w := nnRandF32(rng, -1, 1, 8, 64, 56, 56), nnRandF32(rng, -1, 1, 64, 64, 3, 3)
	attrs := attrsOf(attrInts("pads", 1, 1, 1, 1))
	nnBenchKernel(b, "Conv", 11, attrs, 8*2*64*64*9*56*56, x, w)
}

// BenchmarkConvDepthwise3x3 is a depthwise 3×3 convolution of 64 channels
// over 56×56.
func BenchmarkConvDepthwise3x3(b *testing.B) {
	rng := rand.New(rand.NewSource(4))
	x, w := nnRandF32(rng, -1, 1, 1, 64, 56, 56), nnRandF32(rng, -1, 1, 64, 1, 3, 3)
	attrs := attrsOf(attrInts("pads", 1, 1, 1, 1), attrInt("group", 64))
	nnBenchKernel(b, "Conv", 11, attrs, 2*64*9*56*56, x, w)
}

// BenchmarkConv3x3Backward times the input and weight gradients of
// BenchmarkConv3x3's convolution.
func BenchmarkConv3x3Backward(b *testing.B) {
	rng := rand.New(rand.NewSource(5))
	x, w := nnRandF32(rng, -1, 1, 1, 64, 56, 56), nnRandF32(rng, -1, 1, 64, 64, 3, 3)
	attrs := attrsOf(attrInts("pads", 1, 1, 1, 1))
	ctx := context.Background()
	in := []*tensor.Tensor{x, w}
	f, k, err := runtime.RunNode(ctx, testRegistry(), opNode("Conv", in, 1, attrs...), 11, in, runtime.RunOptions{})
	if err != nil {
		b.Fatal(err)
	}
	gy := nnRandF32(rng, -1, 1, f.Outputs[0].Shape()...)
	b.ResetTimer()
	cpu0 := nnCPUNanos()
	for i := 0; i < b.N; i++ {
		if _, err := runtime.BackwardNode(ctx, k, f, []*tensor.Tensor{gy}, []bool{true, true}, runtime.RunOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	nnReport(b, 2*2*64*64*9*56*56, cpu0)
}

// BenchmarkMaxPool3x3 is a 3×3 stride-2 max pool of 64×112×112.
func BenchmarkMaxPool3x3(b *testing.B) {
	rng := rand.New(rand.NewSource(6))
	x := nnRandF32(rng, -1, 1, 1, 64, 112, 112)
	attrs := attrsOf(attrInts("kernel_shape", 3, 3), attrInts("strides", 2, 2), attrInts("pads", 1, 1, 1, 1))
	nnBenchKernel(b, "MaxPool", 12, attrs, 64*56*56*9, x)
}

// BenchmarkConvDepthwise3x3Stride2 is MobileNetV2's first strided
// depthwise convolution: 96 channels, 112×112 → 56×56.
func BenchmarkConvDepthwise3x3Stride2(b *testing.B) {
	rng := rand.New(rand.NewSource(4))
	x, w := nnRandF32(rng, -1, 1, 1, 96, 112, 112), nnRandF32(rng, -1, 1, 96, 1, 3, 3)
	attrs := attrsOf(attrInts("pads", 1, 1, 1, 1), attrInts("strides", 2, 2), attrInt("group", 96))
	nnBenchKernel(b, "Conv", 11, attrs, 2*96*9*56*56, x, w)
}

// BenchmarkConv3x3Deep is a late ResNet-18 layer: 3×3, 256→256 channels,
// 14×14, padding 1.
func BenchmarkConv3x3Deep(b *testing.B) {
	rng := rand.New(rand.NewSource(3))
	x, w := nnRandF32(rng, -1, 1, 1, 256, 14, 14), nnRandF32(rng, -1, 1, 256, 256, 3, 3)
	attrs := attrsOf(attrInts("pads", 1, 1, 1, 1))
	nnBenchKernel(b, "Conv", 11, attrs, 2*256*256*9*14*14, x, w)
}

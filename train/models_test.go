package train

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/optnet-go/optnet/importer"
	"github.com/optnet-go/optnet/onnxbuild"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// Models built in Go for the training tests and benchmarks.

// randTensor returns a tensor of dtype dt with elements uniform in
// [-scale, scale).
func randTensor(rng *rand.Rand, dt tensor.DType, scale float64, shape ...int) *tensor.Tensor {
	v := make([]float64, tensor.NumElements(shape))
	for i := range v {
		v[i] = scale * (2*rng.Float64() - 1)
	}
	t, err := tensor.FromSlice(shape, v)
	if err != nil {
		panic(err)
	}
	if t, err = tensor.Convert(t, dt); err != nil {
		panic(err)
	}
	return t
}

func load(tb testing.TB, b *onnxbuild.Model) *importer.Model {
	tb.Helper()
	data, err := b.Bytes()
	if err != nil {
		tb.Fatal(err)
	}
	m, err := importer.LoadBytes(data)
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

// mlpModel is x (batch, sizes[0]) → Gemm → Relu → … → Gemm → y (batch,
// sizes[last]) with PyTorch's default (Kaiming-uniform) initialisation;
// the weights are stored out×in (transB=1), as PyTorch exports them.
func mlpModel(tb testing.TB, dt tensor.DType, seed uint64, sizes ...int) *importer.Model {
	rng := rand.New(rand.NewPCG(seed, 1))
	b := onnxbuild.New("mlp", map[string]int64{"": 17})
	h := b.Input("x", dt, "batch", sizes[0])
	for l := 1; l < len(sizes); l++ {
		in, out := sizes[l-1], sizes[l]
		bound := 1 / math.Sqrt(float64(in))
		w := b.Initializer(name("fc", l, ".weight"), randTensor(rng, dt, bound, out, in))
		bias := b.Initializer(name("fc", l, ".bias"), randTensor(rng, dt, bound, out))
		var outs []string
		if l == len(sizes)-1 {
			outs = []string{"y"}
		}
		h = b.Node("Gemm", []string{h, w, bias}, outs, onnxbuild.Int("transB", 1))
		if l < len(sizes)-1 {
			h = b.Node("Relu", []string{h}, nil)
		}
	}
	b.Output("y", dt, "batch", sizes[len(sizes)-1])
	return load(tb, b)
}

func name(prefix string, i int, suffix string) string {
	return prefix + string(rune('0'+i/10%10)) + string(rune('0'+i%10)) + suffix
}

// cnnModel is the small CNN of the benchmarks: x (batch, 1, 28, 28) →
// conv 1→16 3×3 → relu → maxpool 2 → conv 16→32 3×3 → relu → maxpool 2 →
// flatten (800) → fc 800→10 → y.
func cnnModel(tb testing.TB, dt tensor.DType, seed uint64) *importer.Model {
	rng := rand.New(rand.NewPCG(seed, 2))
	b := onnxbuild.New("cnn", map[string]int64{"": 17})
	h := b.Input("x", dt, "batch", 1, 28, 28)
	conv := func(l, cin, cout int) {
		bound := 1 / math.Sqrt(float64(cin*9))
		w := b.Initializer(name("conv", l, ".weight"), randTensor(rng, dt, bound, cout, cin, 3, 3))
		bias := b.Initializer(name("conv", l, ".bias"), randTensor(rng, dt, bound, cout))
		h = b.Node("Conv", []string{h, w, bias}, nil, onnxbuild.Ints("kernel_shape", 3, 3))
		h = b.Node("Relu", []string{h}, nil)
		h = b.Node("MaxPool", []string{h}, nil, onnxbuild.Ints("kernel_shape", 2, 2), onnxbuild.Ints("strides", 2, 2))
	}
	conv(1, 1, 16)
	conv(2, 16, 32)
	h = b.Node("Flatten", []string{h}, nil, onnxbuild.Int("axis", 1))
	bound := 1 / math.Sqrt(800)
	w := b.Initializer("fc.weight", randTensor(rng, dt, bound, 10, 800))
	bias := b.Initializer("fc.bias", randTensor(rng, dt, bound, 10))
	b.Node("Gemm", []string{h, w, bias}, []string{"y"}, onnxbuild.Int("transB", 1))
	b.Output("y", dt, "batch", 10)
	return load(tb, b)
}

// linQPModel is x (batch, in) → Gemm → p (batch, n); z = QP(Q, p, G, h)
// with shared learnable Q = I, G (m×n, random) and h = 1 + |noise| (so
// z = 0 is strictly feasible); y = Gemm(z) (batch, out).
func linQPModel(tb testing.TB, dt tensor.DType, seed uint64, in, n, m, out int) *importer.Model {
	rng := rand.New(rand.NewPCG(seed, 3))
	b := onnxbuild.New("linqp", map[string]int64{"": 17, "com.optnet": 1})
	x := b.Input("x", dt, "batch", in)
	bound := 1 / math.Sqrt(float64(in))
	w1 := b.Initializer("fc1.weight", randTensor(rng, dt, bound, n, in))
	b1 := b.Initializer("fc1.bias", randTensor(rng, dt, bound, n))
	p := b.Node("Gemm", []string{x, w1, b1}, nil, onnxbuild.Int("transB", 1))
	q := make([]float64, n*n)
	for i := 0; i < n; i++ {
		q[i*n+i] = 1
	}
	h := make([]float64, m)
	for i := range h {
		h[i] = 1 + rng.Float64()
	}
	conv := func(v []float64, shape ...int) *tensor.Tensor {
		t, err := tensor.Convert(tensor.MustFromSlice(shape, v), dt)
		if err != nil {
			tb.Fatal(err)
		}
		return t
	}
	Q := b.Initializer("qp.Q", conv(q, n, n))
	G := b.Initializer("qp.G", randTensor(rng, dt, 1/math.Sqrt(float64(n)), m, n))
	H := b.Initializer("qp.h", conv(h, m))
	z := b.DomainNode("com.optnet", "QP", []string{Q, p, G, H}, nil)
	bound = 1 / math.Sqrt(float64(n))
	w2 := b.Initializer("fc2.weight", randTensor(rng, dt, bound, out, n))
	b2 := b.Initializer("fc2.bias", randTensor(rng, dt, bound, out))
	b.Node("Gemm", []string{z, w2, b2}, []string{"y"}, onnxbuild.Int("transB", 1))
	b.Output("y", dt, "batch", out)
	return load(tb, b)
}

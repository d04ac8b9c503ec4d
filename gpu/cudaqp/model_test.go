package cudaqp_test

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/optnet-go/optnet"
	"github.com/optnet-go/optnet/gpu/cudaqp"
	"github.com/optnet-go/optnet/onnxbuild"
	"github.com/optnet-go/optnet/ops/qp"
	"github.com/optnet-go/optnet/ops/qp/qptest"
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// TestModelOnCUDA compiles a QP layer (float32 and float64, shared Q and G,
// batched p and h: the OptNet layout) for the CPU and for CUDA, and checks
// that the forward outputs and the gradients through the runtime's autodiff
// agree.
func TestModelOnCUDA(t *testing.T) {
	if b, note := cudaqp.Backend(); b == "" {
		t.Skipf("no CUDA device: %s", note)
	}
	if _, err := qp.DeviceSolver(); err != nil {
		t.Skipf("no device solver: %v", err)
	}
	rng := rand.New(rand.NewPCG(31, 32))
	const B, n, m = 5, 6, 4
	pr, _ := qptest.Random(rng, qptest.Config{B: B, N: n, M: m, Shared: qp.InputQ | qp.InputG})
	for _, dt := range []tensor.DType{tensor.Float64, tensor.Float32} {
		conv := func(shape []int, v []float64) *tensor.Tensor {
			x, err := tensor.Convert(tensor.MustFromSlice(shape, v), dt)
			if err != nil {
				t.Fatal(err)
			}
			return x
		}
		bld := onnxbuild.New("layer", map[string]int64{"": 17, "com.optnet": 1})
		bld.Input("p", dt, B, n)
		bld.Input("h", dt, B, m)
		bld.Initializer("Q", conv([]int{n, n}, pr.Q))
		bld.Initializer("G", conv([]int{m, n}, pr.G))
		bld.DomainNode("com.optnet", "QP", []string{"Q", "p", "G", "h"}, []string{"z", "lam"})
		bld.Output("z", dt, B, n)
		bld.Output("lam", dt, B, m)
		data, err := bld.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		inputs := map[string]*tensor.Tensor{"p": conv([]int{B, n}, pr.P), "h": conv([]int{B, m}, pr.H)}
		seed := conv([]int{B, n}, randVec(rng, B*n))
		type out struct {
			z, lam []float64
			grads  map[string][]float64
		}
		run := func(dev runtime.Device) out {
			mdl, err := optnet.LoadBytes(data, optnet.Options{Compile: runtime.Options{Device: dev, Variables: []string{"Q", "G"}}})
			if err != nil {
				t.Fatalf("%v: %v", dev, err)
			}
			ctx := context.Background()
			res, err := mdl.Run(ctx, inputs)
			if err != nil {
				t.Fatal(err)
			}
			gp, err := mdl.Differentiate([]string{"z"}, []string{"Q", "G", "p", "h"})
			if err != nil {
				t.Fatal(err)
			}
			_, tape, err := gp.Forward(ctx, inputs, runtime.RunOptions{})
			if err != nil {
				t.Fatal(err)
			}
			grads, err := tape.Backward(ctx, map[string]*tensor.Tensor{"z": seed})
			if err != nil {
				t.Fatal(err)
			}
			o := out{grads: map[string][]float64{}}
			o.z, _ = tensor.Float64s(res["z"])
			o.lam, _ = tensor.Float64s(res["lam"])
			for k, g := range grads {
				if g.DType() != dt {
					t.Errorf("gradient of %s is %v, want %v", k, g.DType(), dt)
				}
				o.grads[k], _ = tensor.Float64s(g)
			}
			return o
		}
		cpu, gpu := run(runtime.CPU), run(runtime.CUDA)
		tol := 1e-8
		if dt == tensor.Float32 {
			tol = 1e-5 // outputs are rounded to float32
		}
		check := func(name string, a, b []float64) {
			if len(a) != len(b) {
				t.Errorf("%v %s: %d values, CPU %d", dt, name, len(a), len(b))
				return
			}
			for i := range a {
				if math.Abs(a[i]-b[i]) > tol*(1+math.Abs(b[i])) {
					t.Errorf("%v %s[%d]: CUDA %v, CPU %v", dt, name, i, a[i], b[i])
					return
				}
			}
		}
		check("z", gpu.z, cpu.z)
		check("lam", gpu.lam, cpu.lam)
		for k, g := range cpu.grads {
			check("d"+k, gpu.grads[k], g)
		}
		if len(cpu.grads) != 4 {
			t.Errorf("%d gradients, want 4", len(cpu.grads))
		}
	}
}

func randVec(rng *rand.Rand, n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	return x
}

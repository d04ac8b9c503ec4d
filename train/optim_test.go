package train

import (
	"math"
	"math/rand/v2"
	goruntime "runtime"
	"testing"

	"github.com/optnet-go/optnet/runtime/tensor"
)

// BenchmarkAdamUpdate updates the 784×256 weight of the MLP benchmark;
// the -scalar variants run the portable loops the AVX kernels replace.
func BenchmarkAdamUpdate(b *testing.B) {
	for _, c := range []struct {
		name string
		dt   tensor.DType
		avx  bool
	}{{"float32", tensor.Float32, true}, {"float32-scalar", tensor.Float32, false}, {"float64", tensor.Float64, true}, {"float64-scalar", tensor.Float64, false}} {
		b.Run(c.name, func(b *testing.B) {
			defer func(old bool) { useAdamAVX = old }(useAdamAVX)
			useAdamAVX = useAdamAVX && c.avx
			rng := rand.New(rand.NewPCG(1, 1))
			p := randTensor(rng, c.dt, 1, 256, 784)
			g := randTensor(rng, c.dt, 1, 256, 784)
			o := &Adam{}
			b.SetBytes(int64(p.Len() * c.dt.Size() * 4))
			for i := 0; i < b.N; i++ {
				if err := o.Update("w", p, g, 1e-3); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestAdam32VectorMatchesScalar: the AVX kernels give the scalar loop's
// results bit for bit (including the tail, coupled decay and gradient
// scaling).
func TestAdam32VectorMatchesScalar(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	for _, n := range []int{1, 7, 8, 9, 64, 1001} {
		for _, c := range []adamCoef{
			{b1: 0.9, b2: 0.999, eps: 1e-8, step: 1e-3 / 0.1, invSqrtC2: 1 / math.Sqrt(0.001), decay: 1, gs: 1},
			{b1: 0.8, b2: 0.99, eps: 1e-6, step: 0.05, invSqrtC2: 3, decay: 0.999, gs: 0.3, wd: 0.01, coupledDecay: true},
		} {
			mk := func() []float32 {
				v := make([]float32, n)
				for i := range v {
					v[i] = float32(rng.NormFloat64())
				}
				return v
			}
			p, g, m := mk(), mk(), mk()
			v := mk()
			for i := range v {
				v[i] *= v[i]
			}
			p2, m2, v2 := append([]float32(nil), p...), append([]float32(nil), m...), append([]float32(nil), v...)
			adam32(p, g, m, v, &c)
			adam32Scalar(p2, g, m2, v2, float32(c.gs), float32(c.wd), float32(c.b1), 1-float32(c.b1), float32(c.b2), 1-float32(c.b2),
				float32(c.invSqrtC2), float32(c.eps), float32(c.step), float32(c.decay))
			for i := range p {
				if math.Float32bits(p[i]) != math.Float32bits(p2[i]) || m[i] != m2[i] || v[i] != v2[i] {
					t.Fatalf("n=%d %+v: element %d: p %v/%v m %v/%v v %v/%v", n, c, i, p[i], p2[i], m[i], m2[i], v[i], v2[i])
				}
			}
			// float64: the same check.
			mk64 := func() []float64 {
				v := make([]float64, n)
				for i := range v {
					v[i] = rng.NormFloat64()
				}
				return v
			}
			q, h, mm, vv := mk64(), mk64(), mk64(), mk64()
			for i := range vv {
				vv[i] *= vv[i]
			}
			q2, mm2, vv2 := append([]float64(nil), q...), append([]float64(nil), mm...), append([]float64(nil), vv...)
			adam64(q, h, mm, vv, &c)
			adam64Scalar(q2, h, mm2, vv2, &c)
			for i := range q {
				if math.Float64bits(q[i]) != math.Float64bits(q2[i]) || mm[i] != mm2[i] || vv[i] != vv2[i] {
					t.Fatalf("float64 n=%d %+v: element %d: p %v/%v", n, c, i, q[i], q2[i])
				}
			}
		}
	}
}

// TestOptimizersSplitMatchesSerial: updates of tensors large enough to be
// split over cores give the single-core results bit for bit.
func TestOptimizersSplitMatchesSerial(t *testing.T) {
	n := 3*optGrain + 5
	rng := rand.New(rand.NewPCG(6, 6))
	for _, dt := range []tensor.DType{tensor.Float32, tensor.Float64} {
		p0 := randTensor(rng, dt, 1, n)
		g := randTensor(rng, dt, 1, n)
		run := func(procs int, o Optimizer) *tensor.Tensor {
			defer goruntime.GOMAXPROCS(goruntime.GOMAXPROCS(procs))
			p := p0.Clone()
			for step := 0; step < 2; step++ {
				if err := o.Update("p", p, g, 0.01); err != nil {
					t.Fatal(err)
				}
			}
			return p
		}
		for _, mk := range []func() Optimizer{
			func() Optimizer { return &Adam{WeightDecay: 0.1} },
			func() Optimizer { return &SGD{Momentum: 0.9, Nesterov: true} },
		} {
			a, b := run(1, mk()), run(4, mk())
			if e, err := relErr(a, b, 0); err != nil || e != 0 {
				t.Errorf("%v %s: split update differs from the serial one (%v, %v)", dt, mk().Name(), e, err)
			}
		}
	}
}

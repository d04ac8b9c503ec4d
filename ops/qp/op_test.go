package qp_test

import (
	"context"
	"errors"
	"math"
	"math/rand"
	"strings"
	"testing"

	"github.com/optnet-go/optnet"
	"github.com/optnet-go/optnet/onnxbuild"
	"github.com/optnet-go/optnet/onnxpb"
	"github.com/optnet-go/optnet/ops/qp"
	"github.com/optnet-go/optnet/ops/qp/qptest"
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

var qpNames = []string{"Q", "p", "G", "h", "A", "b"}

// qpModel builds a model whose only node is a QP over graph inputs; a nil
// entry of in leaves that input out (empty name).
func qpModel(t testing.TB, in []*tensor.Tensor, outputs []string, attrs ...*onnxpb.AttributeProto) *runtime.Model {
	t.Helper()
	b := onnxbuild.New("qp", map[string]int64{"": 17, "com.optnet": 1})
	names := make([]string, len(in))
	for i, x := range in {
		if x == nil {
			continue
		}
		dims := make([]any, x.Rank())
		for j, d := range x.Shape() {
			dims[j] = d
		}
		names[i] = b.Input(qpNames[i], x.DType(), dims...)
	}
	b.DomainNode("com.optnet", "QP", names, outputs, attrs...)
	for _, o := range outputs {
		if o != "" {
			b.Graph().Output = append(b.Graph().Output, &onnxpb.ValueInfoProto{Name: &o})
		}
	}
	data, err := b.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	m, err := optnet.LoadBytes(data, optnet.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func feeds(in []*tensor.Tensor) map[string]*tensor.Tensor {
	f := map[string]*tensor.Tensor{}
	for i, x := range in {
		if x != nil {
			f[qpNames[i]] = x
		}
	}
	return f
}

func caseTensors(c *qptest.Case) []*tensor.Tensor {
	in := make([]*tensor.Tensor, 6)
	for i, name := range qpNames {
		shape := c.Shapes[name]
		if tensor.NumElements(shape) == 0 {
			continue
		}
		in[i] = tensor.MustFromSlice(shape, c.Arrays[name])
	}
	return in
}

func loadCases(t *testing.T) []*qptest.Case {
	dir, err := qptest.SharedDir()
	if err != nil {
		t.Fatal(err)
	}
	cases, err := qptest.LoadCases(dir)
	if err != nil {
		t.Skipf("shared QP cases not available (%v); set OPTNET_SHARED", err)
	}
	return cases
}

// The op, run through the ONNX runtime, reproduces the reference
// solutions (cvxopt's z; qpth's multipliers) of the shared cases.
func TestOpReferenceCases(t *testing.T) {
	for _, c := range loadCases(t) {
		t.Run(c.Name, func(t *testing.T) {
			in := caseTensors(c)
			outs := []string{"z", "", ""}
			if in[2] != nil {
				outs[1] = "lam"
			}
			if in[4] != nil {
				outs[2] = "nu"
			}
			m := qpModel(t, in, outs)
			got, err := m.Run(context.Background(), feeds(in))
			if err != nil {
				t.Fatal(err)
			}
			z := tensor.Data[float64](got["z"])
			ref := c.Arrays["z_cvxopt"]
			tol := 1e-6
			if c.Name == "sudoku4x4_b8_shared" {
				tol = 1e-5 // degenerate: z is not unique to high accuracy
			}
			for i := range ref {
				if math.Abs(z[i]-ref[i]) > tol*(1+math.Abs(ref[i])) {
					t.Fatalf("z[%d] = %v, cvxopt %v", i, z[i], ref[i])
				}
			}
			if got["lam"] != nil && c.Name != "sudoku4x4_b8_shared" {
				lam := tensor.Data[float64](got["lam"])
				for i, v := range c.Arrays["lam"] {
					if math.Abs(lam[i]-v) > 1e-5*(1+math.Abs(v)) {
						t.Fatalf("lam[%d] = %v, qpth %v", i, lam[i], v)
					}
				}
			}
		})
	}
}

func randomProblem(rng *rand.Rand, batch, n, m int, dt tensor.DType) []*tensor.Tensor {
	q := make([]float64, batch*n*n)
	for b := 0; b < batch; b++ {
		l := make([]float64, n*n)
		for i := range l {
			l[i] = rng.NormFloat64()
		}
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				s := 0.0
				for k := 0; k < n; k++ {
					s += l[i*n+k] * l[j*n+k]
				}
				if i == j {
					s += 1
				}
				q[b*n*n+i*n+j] = s
			}
		}
	}
	vec := func(k int, scale, off float64) []float64 {
		v := make([]float64, k)
		for i := range v {
			v[i] = off + scale*rng.NormFloat64()
		}
		return v
	}
	mk := func(shape []int, v []float64) *tensor.Tensor {
		t, _ := tensor.Convert(tensor.MustFromSlice(shape, v), dt)
		return t
	}
	return []*tensor.Tensor{
		mk([]int{batch, n, n}, q),
		mk([]int{batch, n}, vec(batch*n, 1, 0)),
		mk([]int{m, n}, vec(m*n, 1, 0)), // shared G
		mk([]int{batch, m}, vec(batch*m, 0.5, 1)),
		nil, nil,
	}
}

func TestOpFloat32MatchesFloat64(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	in32 := randomProblem(rng, 4, 6, 5, tensor.Float32)
	in64 := make([]*tensor.Tensor, 6)
	for i, x := range in32 {
		if x != nil {
			in64[i], _ = tensor.Convert(x, tensor.Float64)
		}
	}
	r32, err := qpModel(t, in32, []string{"z"}).Run(context.Background(), feeds(in32))
	if err != nil {
		t.Fatal(err)
	}
	r64, err := qpModel(t, in64, []string{"z"}).Run(context.Background(), feeds(in64))
	if err != nil {
		t.Fatal(err)
	}
	if r32["z"].DType() != tensor.Float32 || !tensor.SameShape(r32["z"].Shape(), []int{4, 6}) {
		t.Fatalf("z is %v", r32["z"])
	}
	z64 := tensor.Data[float64](r64["z"])
	for i, v := range tensor.Data[float32](r32["z"]) {
		if math.Abs(float64(v)-z64[i]) > 1e-6*(1+math.Abs(z64[i])) {
			t.Fatalf("z[%d]: float32 %v, float64 %v", i, v, z64[i])
		}
	}
}

// Equality-only problems with the inequality inputs left out by empty
// names, and an unconstrained problem with only Q and p.
func TestOpOptionalInputs(t *testing.T) {
	q := tensor.MustFromSlice([]int{2, 2}, []float64{2, 0, 0, 2})
	p := tensor.MustFromSlice([]int{2}, []float64{-2, -4})
	a := tensor.MustFromSlice([]int{1, 2}, []float64{1, 1})
	b := tensor.MustFromSlice([]int{1}, []float64{1})
	// min z1²+z2²-2z1-4z2 s.t. z1+z2=1 → z = (0, 1), ν = 2.
	in := []*tensor.Tensor{q, p, nil, nil, a, b}
	got, err := qpModel(t, in, []string{"z", "", "nu"}).Run(context.Background(), feeds(in))
	if err != nil {
		t.Fatal(err)
	}
	z, nu := tensor.Data[float64](got["z"]), tensor.Data[float64](got["nu"])
	if !tensor.SameShape(got["z"].Shape(), []int{1, 2}) || math.Abs(z[0]) > 1e-9 || math.Abs(z[1]-1) > 1e-9 || math.Abs(nu[0]-2) > 1e-8 {
		t.Fatalf("z = %v, nu = %v", z, nu)
	}
	got, err = qpModel(t, in[:2], []string{"z"}).Run(context.Background(), feeds(in[:2]))
	if err != nil {
		t.Fatal(err)
	}
	if z := tensor.Data[float64](got["z"]); math.Abs(z[0]-1) > 1e-9 || math.Abs(z[1]-2) > 1e-9 {
		t.Fatalf("unconstrained z = %v", z)
	}
}

func TestOpErrors(t *testing.T) {
	ctx := context.Background()
	rng := rand.New(rand.NewSource(9))
	in := randomProblem(rng, 3, 4, 3, tensor.Float64)
	bad := feeds(in)
	bad["p"] = tensor.Make[float64](2, 4) // batch 2 vs Q's 3
	if _, err := qpModel(t, []*tensor.Tensor{in[0], bad["p"], in[2], in[3]}, []string{"z"}).Run(ctx, bad); !errors.Is(err, tensor.ErrShape) {
		t.Fatalf("batch mismatch: %v", err)
	}
	// Infeasible item 1: h = -1 with G = [I; -I] makes z ≤ -1 and z ≥ 1.
	g := tensor.MustFromSlice([]int{2, 1}, []float64{1, -1})
	h := tensor.MustFromSlice([]int{2, 2}, []float64{1, 1, -1, -1})
	q := tensor.MustFromSlice([]int{1, 1}, []float64{1})
	p := tensor.MustFromSlice([]int{2, 1}, []float64{0, 0})
	inf := []*tensor.Tensor{q, p, g, h}
	_, err := qpModel(t, inf, []string{"z"}).Run(ctx, feeds(inf))
	var se *qp.SolveError
	var ne *runtime.NodeError
	if !errors.Is(err, qp.ErrInfeasible) || !errors.As(err, &se) || !errors.As(err, &ne) || len(se.Items) != 1 || se.Items[0].Item != 1 {
		t.Fatalf("want infeasible item 1 inside a NodeError, got %v", err)
	}
	// With on_failure="nan" the feasible item is solved and status says why.
	got, err := qpModel(t, inf, []string{"z", "", "", "status"}, onnxbuild.String("on_failure", "nan")).Run(ctx, feeds(inf))
	if err != nil {
		t.Fatal(err)
	}
	st := tensor.Data[int32](got["status"])
	z := tensor.Data[float64](got["z"])
	if st[0] != qp.StatusSolved || st[1] != qp.StatusInfeasible || math.Abs(z[0]) > 1e-8 || !math.IsNaN(z[1]) {
		t.Fatalf("status %v z %v", st, z)
	}
	// A status output without on_failure="nan" is a model error.
	b := onnxbuild.New("qp", map[string]int64{"": 17, "com.optnet": 1})
	b.Input("Q", tensor.Float64, 1, 1)
	b.Input("p", tensor.Float64, 1)
	b.DomainNode("com.optnet", "QP", []string{"Q", "p"}, []string{"z", "", "", "s"})
	b.Output("z", tensor.Float64, 1, 1)
	data, _ := b.Bytes()
	if _, err := optnet.LoadBytes(data, optnet.Options{}); !errors.Is(err, runtime.ErrInvalidGraph) {
		t.Fatalf("status without nan mode: %v", err)
	}
}

// Gradients through the runtime's autodiff (x feeds p through an Add; Q
// and G are trainable variables) match central finite differences of the
// compiled model.
func TestOpBackwardThroughGraph(t *testing.T) {
	rng := rand.New(rand.NewSource(11))
	prob := randomProblem(rng, 3, 4, 3, tensor.Float64)
	b := onnxbuild.New("layer", map[string]int64{"": 17, "com.optnet": 1})
	x := b.Input("x", tensor.Float64, 3, 4)
	b.Input("h", tensor.Float64, 3, 3)
	w := b.Initializer("w", tensor.MustFromSlice([]int{4}, []float64{0.1, -0.2, 0.3, 0.05}))
	b.Initializer("Q", prob[0])
	b.Initializer("G", prob[2])
	pn := b.Node("Add", []string{x, w}, nil)
	b.DomainNode("com.optnet", "QP", []string{"Q", pn, "G", "h"}, []string{"z"})
	b.Output("z", tensor.Float64, 3, 4)
	data, _ := b.Bytes()
	mm, err := optnet.LoadBytes(data, optnet.Options{Compile: runtime.Options{Variables: []string{"w", "Q", "G"}}})
	if err != nil {
		t.Fatal(err)
	}
	gp, err := mm.Differentiate([]string{"z"}, []string{"w", "Q", "G", "h"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	inputs := map[string]*tensor.Tensor{"x": prob[1], "h": prob[3]}
	seed := tensor.Make[float64](3, 4)
	for i := range tensor.Data[float64](seed) {
		tensor.Data[float64](seed)[i] = rng.NormFloat64()
	}
	_, tape, err := gp.Forward(ctx, inputs, runtime.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	grads, err := tape.Backward(ctx, map[string]*tensor.Tensor{"z": seed})
	if err != nil {
		t.Fatal(err)
	}
	loss := func(over map[string]*tensor.Tensor) float64 {
		in := map[string]*tensor.Tensor{"x": prob[1], "h": prob[3]}
		for k, v := range over {
			in[k] = v
		}
		out, err := mm.Run(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		s := 0.0
		for i, v := range tensor.Data[float64](out["z"]) {
			s += v * tensor.Data[float64](seed)[i]
		}
		return s
	}
	base := map[string]*tensor.Tensor{"w": tensor.MustFromSlice([]int{4}, []float64{0.1, -0.2, 0.3, 0.05}), "Q": prob[0], "G": prob[2], "h": prob[3]}
	for name, g := range grads {
		gd := tensor.Data[float64](g)
		for _, j := range rng.Perm(len(gd))[:min(8, len(gd))] {
			fd := func(h float64) float64 {
				c := base[name].Clone()
				tensor.Data[float64](c)[j] += h
				return loss(map[string]*tensor.Tensor{name: c})
			}
			num := (fd(1e-6) - fd(-1e-6)) / 2e-6
			if math.Abs(num-gd[j]) > 1e-5*(1+math.Abs(num)) {
				t.Errorf("d/d%s[%d]: backward %v, finite difference %v", name, j, gd[j], num)
			}
		}
	}
}

// TestOpDevice compiles the same QP model for each device. Without a usable
// GPU (the case on machines without one), Auto runs on the CPU after a
// notice and CUDA is a compile error that says why; with one, both run on
// it and agree with the CPU.
func TestOpDevice(t *testing.T) {
	rng := rand.New(rand.NewSource(13))
	in := randomProblem(rng, 3, 4, 3, tensor.Float64)
	b := onnxbuild.New("qp", map[string]int64{"": 17, "com.optnet": 1})
	for i, x := range in[:4] {
		dims := make([]any, x.Rank())
		for j, d := range x.Shape() {
			dims[j] = d
		}
		b.Input(qpNames[i], x.DType(), dims...)
	}
	b.DomainNode("com.optnet", "QP", qpNames[:4], []string{"z"})
	b.Output("z", tensor.Float64, 3, 4)
	data, err := b.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	load := func(dev runtime.Device) (*runtime.Model, error) {
		return optnet.LoadBytes(data, optnet.Options{Compile: runtime.Options{Device: dev}})
	}
	ctx := context.Background()
	cpu, err := load(runtime.CPU)
	if err != nil {
		t.Fatal(err)
	}
	want, err := cpu.Run(ctx, feeds(in[:4]))
	if err != nil {
		t.Fatal(err)
	}
	_, devErr := qp.DeviceSolver()
	var notices []string
	prev := qp.SetNotice(func(msg string) { notices = append(notices, msg) })
	defer qp.SetNotice(prev)
	auto, err := load(runtime.Auto)
	if err != nil {
		t.Fatalf("Auto: %v", err)
	}
	cuda, cudaErr := load(runtime.CUDA)
	if devErr != nil {
		t.Logf("no device solver: %v", devErr)
		if !errors.Is(cudaErr, qp.ErrNoDevice) || !strings.Contains(cudaErr.Error(), "QP on device cuda") {
			t.Errorf("CUDA without a device: %v, want a compile error wrapping qp.ErrNoDevice", cudaErr)
		}
		// The notice may have been given earlier in this process.
		for _, n := range notices {
			if !strings.Contains(n, "runs on the CPU") {
				t.Errorf("notice %q", n)
			}
		}
	} else if cudaErr != nil {
		t.Fatalf("CUDA with a device solver: %v", cudaErr)
	}
	models := []*runtime.Model{auto}
	if cuda != nil {
		models = append(models, cuda)
	}
	for _, m := range models {
		got, err := m.Run(ctx, feeds(in[:4]))
		if err != nil {
			t.Fatal(err)
		}
		zg, zw := tensor.Data[float64](got["z"]), tensor.Data[float64](want["z"])
		for i := range zw {
			if math.Abs(zg[i]-zw[i]) > 1e-8*(1+math.Abs(zw[i])) {
				t.Fatalf("z[%d] = %v, CPU %v", i, zg[i], zw[i])
			}
		}
	}
}

// A declared input of the wrong rank is a shape error at compile time,
// not an internal error (found by FuzzRun: a scalar Q crashed shape
// inference).
func TestOpDeclaredRankChecked(t *testing.T) {
	b := onnxbuild.New("qp", map[string]int64{"": 17, "com.optnet": 1})
	b.Input("q", tensor.Float64)
	b.DomainNode("com.optnet", "QP", []string{"q", "q"}, []string{"z"})
	b.Output("z", tensor.Float64, 1, 1)
	data, _ := b.Bytes()
	_, err := optnet.LoadBytes(data, optnet.Options{})
	if !errors.Is(err, tensor.ErrShape) || errors.Is(err, runtime.ErrInternal) {
		t.Fatalf("want a shape error, got %v", err)
	}
}

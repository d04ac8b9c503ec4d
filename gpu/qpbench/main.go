// Command qpbench times optnet's QP solvers (CUDA and CPU) on the benchmark
// shapes of docs/performance.md, forward and forward+backward, and can write
// the problems out (in the format of the shared qp-cases) so that
// scripts/bench_qpth.py times qpth on exactly the same data in the same run.
// scripts/gpu-check.sh drives it on a CUDA machine.
//
//	qpbench [-shapes rand_b128_k0,...] [-layouts batched,shared] [-solvers cuda,cpu]
//	        [-reps 5] [-dump DIR] [-cases DIR] [-json FILE]
//
// Shapes: rand_b{128,1024,8192}_k{0,20} (n = m = 100; qpth's benchmark
// distribution: Q = LLᵀ + 10⁻³I with L uniform, G normal, h = Gz₀ + s₀), sudoku
// (B 150, n 64, m 64, k 40, constraints of the shared sudoku case) and denoise
// (B 150, n 199, m 198, total variation, Q only semidefinite). Layout
// "batched" gives every item its own Q, G, A (as qpth's benchmark does);
// "shared" shares Q, G and A across the batch (an OptNet layer's
// parameters); sudoku and denoise are always shared.
//
// Each timing is the median wall-clock time of reps calls after one warm-up
// call, including the copies between Go memory and the GPU.
package main

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/optnet-go/optnet/gpu/cudaqp"
	"github.com/optnet-go/optnet/ops/qp"
	"github.com/optnet-go/optnet/ops/qp/qptest"
)

// shape is one benchmark problem family.
type shape struct {
	name    string
	b, n, m int
	k       int
	fixed   string // "sudoku" or "denoise": the layout is fixed
}

var allShapes = []shape{
	{name: "rand_b128_k0", b: 128, n: 100, m: 100},
	{name: "rand_b128_k20", b: 128, n: 100, m: 100, k: 20},
	{name: "rand_b1024_k0", b: 1024, n: 100, m: 100},
	{name: "rand_b1024_k20", b: 1024, n: 100, m: 100, k: 20},
	{name: "rand_b8192_k0", b: 8192, n: 100, m: 100},
	{name: "rand_b8192_k20", b: 8192, n: 100, m: 100, k: 20},
	{name: "sudoku", b: 150, n: 64, m: 64, k: 40, fixed: "sudoku"},
	{name: "denoise", b: 150, n: 199, m: 198, fixed: "denoise"},
}

// Result is one line of the JSON output.
type Result struct {
	Case      string  `json:"case"`
	Shape     string  `json:"shape"`
	Layout    string  `json:"layout"`
	B         int     `json:"B"`
	N         int     `json:"n"`
	M         int     `json:"m"`
	K         int     `json:"k"`
	Solver    string  `json:"solver"`
	Mode      string  `json:"mode"` // forward or forward+backward
	MedianMS  float64 `json:"median_ms"`
	MinMS     float64 `json:"min_ms"`
	Reps      int     `json:"reps"`
	Failed    int     `json:"failed_items"`
	MaxDzCPU  float64 `json:"max_abs_z_vs_cpu,omitempty"`
	Note      string  `json:"note,omitempty"`
	Device    string  `json:"device,omitempty"`
	UploadMS  float64 `json:"upload_ms,omitempty"`
	SetupMS   float64 `json:"setup_ms,omitempty"`
	KernelMS  float64 `json:"kernel_ms,omitempty"`
	DownMS    float64 `json:"download_ms,omitempty"`
	Iters     float64 `json:"mean_iterations,omitempty"`
	GoMaxProc int     `json:"gomaxprocs"`
}

func main() {
	shapesFlag := flag.String("shapes", "all", "comma-separated shapes, or all")
	layoutsFlag := flag.String("layouts", "batched,shared", "layouts for the rand shapes")
	solversFlag := flag.String("solvers", "cuda,cpu", "solvers to time")
	reps := flag.Int("reps", 5, "timed calls per measurement (after one warm-up)")
	dump := flag.String("dump", "", "write each problem to DIR/CASE.{json,bin} for bench_qpth.py")
	cases := flag.String("cases", "", "directory of the shared qp-cases (for the sudoku constraints; default: $OPTNET_SHARED/qp-cases)")
	out := flag.String("json", "", "append results to this file (JSON lines) as well as stdout")
	batch := flag.Int("batch", 0, "override every shape's batch size (smoke tests)")
	flag.Parse()

	var results *os.File
	if *out != "" {
		f, err := os.OpenFile(*out, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			fatal(err)
		}
		defer f.Close()
		results = f
	}
	emit := func(r Result) {
		r.GoMaxProc = runtime.GOMAXPROCS(0)
		b, _ := json.Marshal(r)
		fmt.Println(string(b))
		if results != nil {
			results.Write(append(b, '\n'))
		}
	}

	var cuda *cudaqp.Solver
	wantCUDA := strings.Contains(*solversFlag, "cuda")
	if wantCUDA {
		s, err := cudaqp.New()
		if err != nil {
			fmt.Fprintf(os.Stderr, "qpbench: no CUDA solver: %v\n", err)
		} else {
			cuda = s
			cuda.SetTiming(true)
			fmt.Fprintf(os.Stderr, "qpbench: CUDA device %s\n", cuda.Device())
		}
	}
	wantCPU := strings.Contains(*solversFlag, "cpu")

	for _, sh := range selectShapes(*shapesFlag) {
		if *batch > 0 {
			sh.b = *batch
		}
		layouts := strings.Split(*layoutsFlag, ",")
		if sh.fixed != "" {
			layouts = []string{"shared"}
		}
		for _, layout := range layouts {
			pr, err := build(sh, layout, *cases)
			if err != nil {
				fmt.Fprintf(os.Stderr, "qpbench: %s: %v\n", sh.name, err)
				continue
			}
			caseName := sh.name + "_" + layout
			base := Result{Case: caseName, Shape: sh.name, Layout: layout, B: sh.b, N: sh.n, M: sh.m, K: sh.k}
			dz := make([]float64, sh.b*sh.n)
			rng := rand.New(rand.NewPCG(7, uint64(sh.b)))
			for i := range dz {
				dz[i] = rng.NormFloat64()
			}
			var zCPU []float64
			if wantCPU {
				zCPU = run(emit, base, "cpu", qp.CPU{}, pr, dz, *reps, nil)
			}
			var zCUDA []float64
			if cuda != nil {
				zCUDA = run(emit, base, "cuda", cuda, pr, dz, *reps, zCPU)
			}
			if *dump != "" {
				z := zCUDA
				if z == nil {
					z = zCPU
				}
				if err := writeCase(filepath.Join(*dump, caseName), caseName, sh, layout, pr, z, dz); err != nil {
					fatal(err)
				}
			}
		}
	}
}

func selectShapes(list string) []shape {
	if list == "all" {
		return allShapes
	}
	var out []shape
	for _, name := range strings.Split(list, ",") {
		found := false
		for _, s := range allShapes {
			if s.name == name {
				out = append(out, s)
				found = true
			}
		}
		if !found {
			fatal(fmt.Errorf("unknown shape %q", name))
		}
	}
	return out
}

// run times solver s on pr (forward, then forward+backward) and returns the
// solution's z.
func run(emit func(Result), base Result, name string, s qp.Solver, pr *qp.Problem, dz []float64, reps int, zRef []float64) []float64 {
	ctx := context.Background()
	cs, _ := s.(*cudaqp.Solver)
	if cs != nil {
		base.Device = cs.Device()
	}
	// Warm-up (the driver's JIT, allocations, page faults).
	sol, err := s.Solve(ctx, pr, qp.Options{OnFailure: qp.FailNaN})
	if sol == nil {
		base.Solver, base.Mode, base.Note = name, "forward", "error: "+err.Error()
		emit(base)
		return nil
	}
	failed := 0
	iters := 0.0
	for i, e := range sol.Status {
		if e != nil {
			failed++
		}
		iters += float64(sol.Iterations[i])
	}
	z := sol.Z
	if _, err := s.Backward(ctx, sol, dz); err != nil {
		fmt.Fprintf(os.Stderr, "qpbench: %s %s backward: %v\n", base.Case, name, err)
	}
	sol.Release()
	for _, mode := range []string{"forward", "forward+backward"} {
		var times []float64
		var tim cudaqp.Timings
		for r := 0; r < reps; r++ {
			t0 := time.Now()
			sol, _ := s.Solve(ctx, pr, qp.Options{OnFailure: qp.FailNaN})
			if cs != nil && mode == "forward" {
				tim = cs.LastTimings()
			}
			if mode == "forward+backward" && sol != nil {
				s.Backward(ctx, sol, dz)
			}
			times = append(times, float64(time.Since(t0).Microseconds())/1000)
			if sol != nil {
				sol.Release()
			}
		}
		sort.Float64s(times)
		res := base
		res.Solver, res.Mode = name, mode
		res.MedianMS, res.MinMS, res.Reps = times[len(times)/2], times[0], reps
		res.Failed = failed
		res.Iters = iters / float64(len(sol.Status))
		if zRef != nil {
			res.MaxDzCPU = maxAbsDiff(z, zRef)
		}
		if cs != nil && mode == "forward" {
			res.UploadMS, res.SetupMS, res.KernelMS, res.DownMS = tim.Upload, tim.Setup, tim.Solve, tim.Download
		}
		emit(res)
	}
	return z
}

func maxAbsDiff(a, b []float64) float64 {
	d := 0.0
	for i := range a {
		if math.IsNaN(a[i]) || math.IsNaN(b[i]) {
			continue
		}
		d = max(d, math.Abs(a[i]-b[i]))
	}
	return d
}

// build makes the problem of a shape and layout.
func build(sh shape, layout, casesDir string) (*qp.Problem, error) {
	switch sh.fixed {
	case "sudoku":
		return sudoku(sh, casesDir)
	case "denoise":
		return denoise(sh), nil
	}
	return random(sh, layout == "shared"), nil
}

// random draws problems like qpth's benchmark (prof-linear.py):
// Q = LLᵀ + 10⁻³I with L uniform on [0,1), G, A, p, z₀ standard normal, s₀
// uniform, h = Gz₀ + s₀, b = Az₀ (so z₀ is feasible). With shared, one Q,
// G, A serve the batch.
func random(sh shape, shared bool) *qp.Problem {
	n, m, k, nb := sh.n, sh.m, sh.k, sh.b
	pr := &qp.Problem{Batch: nb, N: n, M: m, K: k}
	nmat := nb
	if shared {
		nmat = 1
		pr.Shared = qp.InputQ | qp.InputG | qp.InputA
	}
	pr.Q = make([]float64, nmat*n*n)
	pr.G = make([]float64, nmat*m*n)
	pr.A = make([]float64, nmat*k*n)
	pr.P = make([]float64, nb*n)
	pr.H = make([]float64, nb*m)
	pr.B = make([]float64, nb*k)
	workers := runtime.GOMAXPROCS(0)
	parallel := func(count int, fn func(i int, rng *rand.Rand)) {
		var wg sync.WaitGroup
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				for i := w; i < count; i += workers {
					fn(i, rand.New(rand.NewPCG(uint64(sh.b)*1000+uint64(k), uint64(i))))
				}
			}(w)
		}
		wg.Wait()
	}
	// The matrices first, then the vectors that depend on them.
	parallel(nmat, func(i int, rng *rand.Rand) {
		l := make([]float64, n*n)
		for j := range l {
			l[j] = rng.Float64()
		}
		q := pr.Q[i*n*n : (i+1)*n*n]
		for a := 0; a < n; a++ {
			for b := 0; b <= a; b++ {
				s := 0.0
				for c := 0; c < n; c++ {
					s += l[a*n+c] * l[b*n+c]
				}
				q[a*n+b], q[b*n+a] = s, s
			}
			q[a*n+a] += 1e-3
		}
		for j := range pr.G[i*m*n : (i+1)*m*n] {
			pr.G[i*m*n+j] = rng.NormFloat64()
		}
		for j := range pr.A[i*k*n : (i+1)*k*n] {
			pr.A[i*k*n+j] = rng.NormFloat64()
		}
	})
	parallel(nb, func(i int, rng *rand.Rand) {
		rng = rand.New(rand.NewPCG(uint64(sh.b)*1000+uint64(k)+1, uint64(i)))
		gi := i
		if shared {
			gi = 0
		}
		g := pr.G[gi*m*n : (gi+1)*m*n]
		a := pr.A[gi*k*n : (gi+1)*k*n]
		z0 := make([]float64, n)
		for j := range z0 {
			z0[j] = rng.NormFloat64()
		}
		for j := 0; j < n; j++ {
			pr.P[i*n+j] = rng.NormFloat64()
		}
		for r := 0; r < m; r++ {
			s := rng.Float64()
			for j := 0; j < n; j++ {
				s += g[r*n+j] * z0[j]
			}
			pr.H[i*m+r] = s
		}
		for r := 0; r < k; r++ {
			s := 0.0
			for j := 0; j < n; j++ {
				s += a[r*n+j] * z0[j]
			}
			pr.B[i*k+r] = s
		}
	})
	if k == 0 {
		pr.A, pr.B = nil, nil
	}
	return pr
}

// sudoku takes Q, G, h, A, b of the shared sudoku case and draws B linear
// terms around the case's own.
func sudoku(sh shape, dir string) (*qp.Problem, error) {
	if dir == "" {
		var err error
		if dir, err = qptest.SharedDir(); err != nil {
			return nil, err
		}
	}
	cases, err := qptest.LoadCases(dir)
	if err != nil {
		return nil, err
	}
	for _, c := range cases {
		if !strings.HasPrefix(c.Name, "sudoku") {
			continue
		}
		if c.N != sh.n || c.M != sh.m || c.K != sh.k {
			return nil, fmt.Errorf("sudoku case is %d/%d/%d, want %d/%d/%d", c.N, c.M, c.K, sh.n, sh.m, sh.k)
		}
		pr := &qp.Problem{Batch: sh.b, N: c.N, M: c.M, K: c.K, Q: c.Arrays["Q"], G: c.Arrays["G"], H: c.Arrays["h"],
			A: c.Arrays["A"], B: c.Arrays["b"], Shared: qp.InputQ | qp.InputG | qp.InputH | qp.InputA | qp.InputB}
		src := c.Arrays["p"]
		rng := rand.New(rand.NewPCG(5, 6))
		for i := 0; i < sh.b; i++ {
			row := src[(i%c.B)*c.N : (i%c.B+1)*c.N]
			for _, v := range row {
				pr.P = append(pr.P, v+0.1*rng.NormFloat64())
			}
		}
		return pr, nil
	}
	return nil, fmt.Errorf("no sudoku case in %s", dir)
}

// denoise builds total-variation denoising problems for B noisy
// piecewise-constant signals of length (n+1)/2, λ = 0.5.
func denoise(sh shape) *qp.Problem {
	length := (sh.n + 1) / 2
	rng := rand.New(rand.NewPCG(8, 9))
	xs := make([][]float64, sh.b)
	for i := range xs {
		x := make([]float64, length)
		level := rng.Float64()*2 - 1
		for j := range x {
			if rng.IntN(20) == 0 {
				level = rng.Float64()*2 - 1
			}
			x[j] = level + 0.1*rng.NormFloat64()
		}
		xs[i] = x
	}
	return qptest.TotalVariation(xs, 0.5, true)
}

// writeCase writes a problem (and our z, and the upstream gradient used) in
// the qp-cases format: NAME.json (shapes, offsets) + NAME.bin (float64).
func writeCase(path, name string, sh shape, layout string, pr *qp.Problem, z, dz []float64) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	type arr struct {
		Shape  []int `json:"shape"`
		Offset int   `json:"offset"`
		Nbytes int   `json:"nbytes"`
	}
	shp := func(in qp.Input, dims ...int) []int {
		if pr.Shared&in != 0 {
			return dims
		}
		return append([]int{sh.b}, dims...)
	}
	arrays := []struct {
		name  string
		x     []float64
		shape []int
	}{
		{"Q", pr.Q, shp(qp.InputQ, sh.n, sh.n)}, {"p", pr.P, shp(qp.InputP, sh.n)},
		{"G", pr.G, shp(qp.InputG, sh.m, sh.n)}, {"h", pr.H, shp(qp.InputH, sh.m)},
		{"A", pr.A, shp(qp.InputA, sh.k, sh.n)}, {"b", pr.B, shp(qp.InputB, sh.k)},
		{"z", z, []int{sh.b, sh.n}}, {"dl_dz", dz, []int{sh.b, sh.n}},
	}
	f, err := os.Create(path + ".bin")
	if err != nil {
		return err
	}
	defer f.Close()
	hdr := map[string]any{}
	index := map[string]arr{}
	off := 0
	buf := make([]byte, 8)
	for _, a := range arrays {
		if len(a.x) == 0 {
			index[a.name] = arr{Shape: []int{0}, Offset: off}
			continue
		}
		for _, v := range a.x {
			binary.LittleEndian.PutUint64(buf, math.Float64bits(v))
			if _, err := f.Write(buf); err != nil {
				return err
			}
		}
		index[a.name] = arr{Shape: a.shape, Offset: off, Nbytes: 8 * len(a.x)}
		off += 8 * len(a.x)
	}
	hdr["arrays"] = index
	hdr["meta"] = map[string]any{"name": name, "shape": sh.name, "layout": layout, "B": sh.b, "n": sh.n, "m": sh.m, "neq": sh.k,
		"psd_Q": sh.fixed == "denoise"}
	js, err := json.MarshalIndent(hdr, "", " ")
	if err != nil {
		return err
	}
	return os.WriteFile(path+".json", js, 0o644)
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "qpbench:", err)
	os.Exit(1)
}

// Command solver-speed reproduces the solver-timing experiment of the
// OptNet paper (Amos & Kolter, ICML 2017, §5.1): the time to solve a batch
// of random QPs against the batch size, for n ∈ {10, 50, 100} variables
// and m = n inequality constraints, with optnet's CPU solver (qp.Solve,
// the whole batch in one call) and with cvxopt solving the same problems
// one after another, at the same tolerance, in one run.
//
//	go run ./models/solver-speed          # full run; writes RESULTS.md, speed.png, timings.csv
//	go run ./models/solver-speed -quick   # tiny run (what the test does)
//	go run ./models/solver-speed -report  # RESULTS.md and speed.png from timings.csv
//
// The problems go to cvxopt as .npy files in a temporary folder; the
// script cvxopt_bench.py (run with -python, default /usr/bin/python3)
// times them and writes the solutions back, which are compared with
// optnet's. The table and plot keep a column for a GPU solver.
package main

import (
	"context"
	_ "embed"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	_ "github.com/optnet-go/optnet/gpu/cudaqp" // registers the CUDA solver
	"github.com/optnet-go/optnet/models/internal/exp"
	"github.com/optnet-go/optnet/ops/qp"
)

//go:embed cvxopt_bench.py
var cvxoptScript []byte

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "solver-speed:", err)
		os.Exit(1)
	}
}

type config struct {
	out     string
	sizes   []int
	batches []int
	tol     float64
	reps    int
	budget  float64
	python  string
	seed    uint64
	quick   bool
	command string
	log     io.Writer
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("solver-speed", flag.ContinueOnError)
	fs.SetOutput(stdout)
	out := fs.String("out", "models/solver-speed", "folder for RESULTS.md, speed.png and timings.csv")
	sizes := fs.String("sizes", "10,50,100", "numbers of variables n (m = n)")
	batches := fs.String("batches", "1,2,4,8,16,32,64,128,256,512,1024", "batch sizes")
	tol := fs.Float64("tol", 1e-8, "tolerance: optnet's eps and cvxopt's abstol, reltol and feastol")
	reps := fs.Int("reps", 3, "timing repetitions per point (the best counts)")
	budget := fs.Float64("budget", 3, "stop repeating a point after this many seconds")
	python := fs.String("python", "/usr/bin/python3", "Python with cvxopt and numpy")
	seed := fs.Uint64("seed", 1, "seed of the random problems")
	quick := fs.Bool("quick", false, "n = 10 and batches 1, 8 only")
	rep := fs.Bool("report", false, "only rebuild RESULTS.md and speed.png from timings.csv and run.json")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if *rep {
		return report(*out)
	}
	cfg := config{out: *out, tol: *tol, reps: *reps, budget: *budget, python: *python, seed: *seed, quick: *quick,
		command: strings.TrimSpace("go run ./models/solver-speed " + strings.Join(args, " ")), log: stdout}
	var err error
	if cfg.sizes, err = ints(*sizes); err != nil {
		return err
	}
	if cfg.batches, err = ints(*batches); err != nil {
		return err
	}
	if cfg.quick {
		cfg.sizes, cfg.batches, cfg.reps = []int{10}, []int{1, 8}, 1
	}
	return measure(ctx, cfg)
}

func ints(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || v <= 0 {
			return nil, fmt.Errorf("bad number %q in %q", f, s)
		}
		out = append(out, v)
	}
	return out, nil
}

// problems are B random strictly convex, strictly feasible QPs with n
// variables and m = n inequalities: Q = MMᵀ/n + 0.1·I, p ~ N(0, 1),
// G ~ N(0, 1), h = G z₀ + s₀ with z₀ ~ N(0, 1), s₀ ~ U[0.5, 1.5).
type problems struct {
	n, m, batch int
	Q, P, G, H  []float64
}

func randomProblems(n, batch int, seed uint64) *problems {
	rng := rand.New(rand.NewPCG(seed, uint64(n)))
	m := n
	pr := &problems{n: n, m: m, batch: batch,
		Q: make([]float64, batch*n*n), P: make([]float64, batch*n),
		G: make([]float64, batch*m*n), H: make([]float64, batch*m)}
	M := make([]float64, n*n)
	z0 := make([]float64, n)
	for b := 0; b < batch; b++ {
		for i := range M {
			M[i] = rng.NormFloat64()
		}
		q := pr.Q[b*n*n : (b+1)*n*n]
		for i := 0; i < n; i++ {
			for j := 0; j <= i; j++ {
				s := 0.0
				for k := 0; k < n; k++ {
					s += M[i*n+k] * M[j*n+k]
				}
				s /= float64(n)
				if i == j {
					s += 0.1
				}
				q[i*n+j], q[j*n+i] = s, s
			}
		}
		for i := 0; i < n; i++ {
			pr.P[b*n+i] = rng.NormFloat64()
			z0[i] = rng.NormFloat64()
		}
		g := pr.G[b*m*n : (b+1)*m*n]
		for i := range g {
			g[i] = rng.NormFloat64()
		}
		for i := 0; i < m; i++ {
			s := 0.5 + rng.Float64()
			for j := 0; j < n; j++ {
				s += g[i*n+j] * z0[j]
			}
			pr.H[b*m+i] = s
		}
	}
	return pr
}

// first returns the qp.Problem of the first b problems.
func (p *problems) first(b int) *qp.Problem {
	n, m := p.n, p.m
	return &qp.Problem{Batch: b, N: n, M: m, Q: p.Q[:b*n*n], P: p.P[:b*n], G: p.G[:b*m*n], H: p.H[:b*m]}
}

// timing is one measured point.
type timing struct {
	n, batch           int
	cpuAll, cpu1, cvx  float64 // seconds per batch
	gpu                float64 // NaN: not measured
	cpuIters, cvxIters float64 // mean iterations
	maxDiff            float64 // max |z_optnet − z_cvxopt| over the problems of the batch
}

// bestOf times f up to reps times (stopping early after budget seconds)
// and returns the fastest.
func bestOf(reps int, budget float64, f func() error) (float64, error) {
	best, spent := math.Inf(1), 0.0
	for r := 0; r < reps; r++ {
		t := time.Now()
		if err := f(); err != nil {
			return 0, err
		}
		d := time.Since(t).Seconds()
		best = math.Min(best, d)
		spent += d
		if spent > budget {
			break
		}
	}
	return best, nil
}

func measure(ctx context.Context, cfg config) error {
	if _, err := exp.CheckDir(cfg.out); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "solver-speed-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	maxB := 0
	for _, b := range cfg.batches {
		maxB = max(maxB, b)
	}
	load := loadAverage()
	start := time.Now()
	probs := map[int]*problems{}
	for _, n := range cfg.sizes {
		p := randomProblems(n, maxB, cfg.seed)
		probs[n] = p
		for name, v := range map[string]struct {
			shape []int
			data  []float64
		}{
			"Q": {[]int{maxB, n, n}, p.Q}, "p": {[]int{maxB, n}, p.P},
			"G": {[]int{maxB, p.m, n}, p.G}, "h": {[]int{maxB, p.m}, p.H},
		} {
			if err := exp.WriteNPY(filepath.Join(tmp, fmt.Sprintf("%s_%d.npy", name, n)), v.shape, v.data); err != nil {
				return err
			}
		}
	}

	// cvxopt first (one process for everything). The script is embedded,
	// so the command runs from any folder.
	script := filepath.Join(tmp, "cvxopt_bench.py")
	if err := os.WriteFile(script, cvxoptScript, 0o644); err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, cfg.python, script, "--dir", tmp,
		"--sizes", joinInts(cfg.sizes), "--batches", joinInts(cfg.batches),
		"--tol", strconv.FormatFloat(cfg.tol, 'g', -1, 64), "--reps", strconv.Itoa(cfg.reps),
		"--budget", strconv.FormatFloat(cfg.budget, 'g', -1, 64))
	cmd.Stdout, cmd.Stderr = cfg.log, cfg.log
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("cvxopt (%s cvxopt_bench.py): %w", cfg.python, err)
	}

	// The GPU column: the registered device solver when this machine has
	// one (gpu/cudaqp), else left empty with the reason.
	gpu, gpuErr := qp.DeviceSolver()
	gpuNote := "measured"
	if gpuErr != nil {
		gpuNote = gpuErr.Error()
		fmt.Fprintf(cfg.log, "GPU column left empty: %v\n", gpuErr)
	}
	var rows []timing
	opts := qp.Options{Eps: cfg.tol}
	for _, n := range cfg.sizes {
		p := probs[n]
		_, cvxZ, err := exp.ReadNPY(filepath.Join(tmp, fmt.Sprintf("cvxopt_z_%d.npy", n)))
		if err != nil {
			return err
		}
		_, cvxIt, err := exp.ReadNPY(filepath.Join(tmp, fmt.Sprintf("cvxopt_iters_%d.npy", n)))
		if err != nil {
			return err
		}
		cvxT, err := readTimes(filepath.Join(tmp, fmt.Sprintf("cvxopt_times_%d.csv", n)))
		if err != nil {
			return err
		}
		for _, b := range cfg.batches {
			pr := p.first(b)
			var sol *qp.Solution
			solve := func(workers int) func() error {
				return func() error {
					o := opts
					o.Workers = workers
					s, err := qp.Solve(ctx, pr, o)
					sol = s
					return err
				}
			}
			tAll, err := bestOf(cfg.reps, cfg.budget, solve(runtime.GOMAXPROCS(0)))
			if err != nil {
				return fmt.Errorf("n=%d batch=%d: %w", n, b, err)
			}
			t1, err := bestOf(cfg.reps, cfg.budget, solve(1))
			if err != nil {
				return fmt.Errorf("n=%d batch=%d: %w", n, b, err)
			}
			r := timing{n: n, batch: b, cpuAll: tAll, cpu1: t1, cvx: cvxT[b], gpu: math.NaN()}
			if gpu != nil {
				tg, err := bestOf(cfg.reps, cfg.budget, func() error {
					_, err := gpu.Solve(ctx, pr, opts)
					return err
				})
				if err != nil {
					return fmt.Errorf("n=%d batch=%d: GPU: %w", n, b, err)
				}
				r.gpu = tg
			}
			it, cit := 0, 0.0
			for i := 0; i < b; i++ {
				it += sol.Iterations[i]
				cit += cvxIt[i]
				for j := 0; j < n; j++ {
					r.maxDiff = math.Max(r.maxDiff, math.Abs(sol.Z[i*n+j]-cvxZ[i*n+j]))
				}
			}
			r.cpuIters, r.cvxIters = float64(it)/float64(b), cit/float64(b)
			fmt.Fprintf(cfg.log, "n=%3d batch=%4d: optnet %.4gs (%d cores), %.4gs (1 core); cvxopt %.4gs; max|Δz| %.2g\n",
				n, b, r.cpuAll, runtime.GOMAXPROCS(0), r.cpu1, r.cvx, r.maxDiff)
			rows = append(rows, r)
		}
	}
	return writeResults(cfg, rows, load, time.Since(start), gpuNote)
}

func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, ",")
}

// readTimes reads cvxopt_times_<n>.csv: batch → seconds.
func readTimes(path string) (map[int]float64, error) {
	header, cols, err := exp.ReadCSV(path)
	if err != nil {
		return nil, err
	}
	b, s := exp.Column(header, cols, "batch"), exp.Column(header, cols, "seconds")
	if b == nil || s == nil {
		return nil, fmt.Errorf("%s: want columns batch, seconds", path)
	}
	out := map[int]float64{}
	for i := range b {
		out[int(b[i])] = s[i]
	}
	return out, nil
}

// loadAverage is the 1-minute load average (Linux), or NaN.
func loadAverage() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return math.NaN()
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return math.NaN()
	}
	v, err := strconv.ParseFloat(f[0], 64)
	if err != nil {
		return math.NaN()
	}
	return v
}

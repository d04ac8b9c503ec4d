package main

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/optnet-go/optnet/models/internal/exp"
)

// runInfo describes a measurement run (run.json).
type runInfo struct {
	Command string  `json:"command"`
	Date    string  `json:"date"`
	Seconds float64 `json:"seconds"`
	CPU     string  `json:"cpu"`
	Cores   int     `json:"cores"`
	Load    float64 `json:"load_average_1min"`
	Tol     float64 `json:"tol"`
	Reps    int     `json:"reps"`
	Sizes   []int   `json:"sizes"`
	// GPU is "measured", or why the GPU column is empty.
	GPU string `json:"gpu,omitempty"`
}

// writeResults writes timings.csv, run.json, speed.png and RESULTS.md.
func writeResults(cfg config, rows []timing, load float64, elapsed time.Duration, gpuNote string) error {
	log, err := exp.NewLog(filepath.Join(cfg.out, "timings.csv"),
		"n", "batch", "optnet_cpu_all_cores_s", "optnet_cpu_1_core_s", "cvxopt_s", "gpu_s",
		"optnet_mean_iters", "cvxopt_mean_iters", "max_abs_dz")
	if err != nil {
		return err
	}
	for _, r := range rows {
		if err := log.Row(float64(r.n), float64(r.batch), r.cpuAll, r.cpu1, r.cvx, r.gpu, r.cpuIters, r.cvxIters, r.maxDiff); err != nil {
			log.Close()
			return err
		}
	}
	if err := log.Close(); err != nil {
		return err
	}
	info := runInfo{Command: cfg.command, Date: time.Now().UTC().Format("2006-01-02"), Seconds: elapsed.Seconds(),
		CPU: cpuModel(), Cores: runtime.GOMAXPROCS(0), Load: load, Tol: cfg.tol, Reps: cfg.reps, Sizes: cfg.sizes, GPU: gpuNote}
	if err := exp.SaveJSON(filepath.Join(cfg.out, "run.json"), info); err != nil {
		return err
	}
	return render(cfg.out, rows, info)
}

// report rebuilds speed.png and RESULTS.md from timings.csv and run.json.
func report(out string) error {
	var info runInfo
	if err := exp.LoadJSON(filepath.Join(out, "run.json"), &info); err != nil {
		return err
	}
	h, cols, err := exp.ReadCSV(filepath.Join(out, "timings.csv"))
	if err != nil {
		return err
	}
	col := func(name string) []float64 { return exp.Column(h, cols, name) }
	n, b := col("n"), col("batch")
	var rows []timing
	for i := range n {
		rows = append(rows, timing{n: int(n[i]), batch: int(b[i]), cpuAll: col("optnet_cpu_all_cores_s")[i], cpu1: col("optnet_cpu_1_core_s")[i],
			cvx: col("cvxopt_s")[i], gpu: col("gpu_s")[i], cpuIters: col("optnet_mean_iters")[i], cvxIters: col("cvxopt_mean_iters")[i], maxDiff: col("max_abs_dz")[i]})
	}
	return render(out, rows, info)
}

// render draws speed.png and writes RESULTS.md.
func render(out string, rows []timing, info runInfo) error {
	cores := info.Cores
	var panels []exp.Panel
	for _, n := range info.Sizes {
		var b, all, one, cvx, gpu []float64
		for _, r := range rows {
			if r.n == n {
				b = append(b, float64(r.batch))
				all = append(all, r.cpuAll)
				one = append(one, r.cpu1)
				cvx = append(cvx, r.cvx)
				gpu = append(gpu, r.gpu)
			}
		}
		panels = append(panels, exp.Panel{
			Axes: exp.Axes{Title: fmt.Sprintf("n = m = %d", n), X: "batch size", Y: "seconds per batch", LogX: true, LogY: true, LegendBottom: true},
			Series: []exp.Series{
				{Name: fmt.Sprintf("optnet CPU (%d cores)", cores), X: b, Y: all, Style: 0, Points: true},
				{Name: "optnet CPU (1 core)", X: b, Y: one, Style: 1, Points: true, Dashed: true},
				{Name: "cvxopt, one by one", X: b, Y: cvx, Style: 2, Points: true},
				{Name: "optnet GPU (CUDA)", X: b, Y: gpu, Style: 3, Points: true}, // empty where not measured
			},
		})
	}
	if err := exp.PanelGrid(filepath.Join(out, "speed.png"), panels, len(panels), 4, 3.6); err != nil {
		return err
	}
	return writeMarkdown(out, rows, info)
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}

func ms(s float64) string {
	if math.IsNaN(s) {
		return "—"
	}
	return fmt.Sprintf("%.3g", 1000*s)
}

func writeMarkdown(out string, rows []timing, info runInfo) error {
	var w strings.Builder
	cores := info.Cores
	fmt.Fprintf(&w, "# Solver speed: optnet's batched QP solver vs cvxopt\n\n")
	fmt.Fprintf(&w, "Reproduces the timing experiment of the OptNet paper (Amos & Kolter, ICML 2017,\n§5.1, Figure 3): time to solve a batch of random QPs against the batch size.\n\n")
	fmt.Fprintf(&w, "Command (from the repository root): `%s` — one run measures both solvers\non the same problems (written to .npy and read by `cvxopt_bench.py`).\n", info.Command)
	fmt.Fprintf(&w, "Run of %s, %.0f s in total, on %s, %d cores visible to Go (GOMAXPROCS),\n1-minute load average %.1f at the start (the machine is shared: absolute times are noisy).\n\n",
		info.Date, info.Seconds, info.CPU, cores, info.Load)
	fmt.Fprintf(&w, "* Problems: n variables, m = n inequalities, no equalities; every batch item has its own\n  Q = MMᵀ/n + 0.1·I, p, G and h = G z₀ + s₀ (strictly feasible), all ~ N(0, 1) (`randomProblems`).\n")
	fmt.Fprintf(&w, "* optnet: `qp.Solve` on the whole batch, Eps = %g (stop when ‖rx‖+‖rz‖+sᵀλ < Eps, or when it stops\n  improving), with all cores and with one worker.\n", info.Tol)
	fmt.Fprintf(&w, "* cvxopt %s: `cvxopt.solvers.qp` on each problem in turn (matrices built before timing),\n  abstol = reltol = feastol = %g.\n", "1.3 (Debian python3-cvxopt)", info.Tol)
	fmt.Fprintf(&w, "* Times are the best of up to %d runs (seconds per batch, shown in ms); max |Δz| compares the\n  two solvers' solutions over the batch.\n", info.Reps)
	gpuLine := "not measured on this machine"
	if info.GPU == "measured" {
		gpuLine = "the CUDA solver (`gpu/cudaqp`, `qp.DeviceSolver`) on the whole batch, same tolerance"
	} else if info.GPU != "" {
		gpuLine = "not measured: " + info.GPU
	}
	fmt.Fprintf(&w, "* GPU: %s. A run on a machine with a CUDA GPU fills the column (the command is the same).\n\n", gpuLine)
	fmt.Fprintf(&w, "![time per batch](speed.png)\n\n")
	for _, n := range info.Sizes {
		fmt.Fprintf(&w, "## n = m = %d\n\n", n)
		fmt.Fprintf(&w, "| batch | optnet CPU, %d cores (ms) | optnet CPU, 1 core (ms) | cvxopt (ms) | GPU (ms) | cvxopt / optnet (%d cores) | iterations optnet / cvxopt | max \\|Δz\\| |\n|---:|---:|---:|---:|---:|---:|---:|---:|\n", cores, cores)
		for _, r := range rows {
			if r.n != n {
				continue
			}
			fmt.Fprintf(&w, "| %d | %s | %s | %s | %s | %.1f× | %.1f / %.1f | %.1e |\n", r.batch, ms(r.cpuAll), ms(r.cpu1), ms(r.cvx), ms(r.gpu), r.cvx/r.cpuAll, r.cpuIters, r.cvxIters, r.maxDiff)
		}
		fmt.Fprintln(&w)
	}
	fmt.Fprintf(&w, "Raw numbers: `timings.csv`.\n")
	if notes, err := os.ReadFile(filepath.Join(out, "notes.md")); err == nil {
		fmt.Fprintf(&w, "\n%s", notes)
	}
	return os.WriteFile(filepath.Join(out, "RESULTS.md"), []byte(w.String()), 0o644)
}

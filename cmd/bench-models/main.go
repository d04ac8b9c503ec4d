// Command bench-models times optnet on the whole-model benchmark: the ONNX
// models that scripts/bench_models.sh exports (torchvision CNNs at batch 1).
//
//	bench-models -models .bench/models -out .bench/out -warmup 10 -runs 50 squeezenet1_1 resnet18
//
// For each named model it loads <models>/<name>.onnx, runs -warmup untimed
// inferences on <models>/<name>.input.bin (float32, 1×3×224×224), then -runs
// timed ones, and writes <out>/<name>.optnet.bin (the output, float32
// little-endian) and <out>/<name>.optnet.json (per-run wall and CPU times in
// milliseconds). Threads follow GOMAXPROCS.
package main

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	goruntime "runtime"
	"runtime/pprof"
	"sort"
	"time"

	"github.com/optnet-go/optnet"
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

type result struct {
	Runtime   string    `json:"runtime"`
	Threads   int       `json:"threads"`
	Warmup    int       `json:"warmup"`
	CompileMS float64   `json:"compile_ms"`
	TimesMS   []float64 `json:"times_ms"`
	CPUMS     []float64 `json:"cpu_ms"`
}

func main() {
	models := flag.String("models", ".bench/models", "folder of the exported models")
	out := flag.String("out", ".bench/out", "folder for outputs and timings")
	warmup := flag.Int("warmup", 10, "untimed runs before timing")
	runs := flag.Int("runs", 50, "timed runs")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the timed runs to this file")
	steps := flag.Bool("steps", false, "print the time per op type (steps of the inference plan, fused ones joined by +)")
	flag.Parse()
	if err := os.MkdirAll(*out, 0o755); err != nil {
		fail(err)
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fail(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			fail(err)
		}
		defer pprof.StopCPUProfile()
	}
	for _, name := range flag.Args() {
		r, y, err := bench(filepath.Join(*models, name), *warmup, *runs, *steps)
		if err != nil {
			fail(fmt.Errorf("%s: %w", name, err))
		}
		if err := writeFloats(filepath.Join(*out, name+".optnet.bin"), y); err != nil {
			fail(err)
		}
		b, _ := json.Marshal(r)
		if err := os.WriteFile(filepath.Join(*out, name+".optnet.json"), b, 0o644); err != nil {
			fail(err)
		}
		fmt.Printf("%-14s optnet median %7.2f ms (compile %.0f ms)\n", name, median(r.TimesMS), r.CompileMS)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "bench-models:", err)
	os.Exit(1)
}

// bench loads base.onnx and times it on base.input.bin; with steps it
// prints the time per op type of the timed runs.
func bench(base string, warmup, runs int, steps bool) (*result, []float32, error) {
	t0 := time.Now()
	m, err := optnet.Load(base + ".onnx")
	if err != nil {
		return nil, nil, err
	}
	r := &result{Runtime: "optnet", Threads: goruntime.GOMAXPROCS(0), Warmup: warmup,
		CompileMS: float64(time.Since(t0)) / 1e6}
	x, err := readFloats(base + ".input.bin")
	if err != nil {
		return nil, nil, err
	}
	in := m.Inputs()
	if len(in) != 1 {
		return nil, nil, fmt.Errorf("model has %d inputs, want 1", len(in))
	}
	xt, err := tensor.FromSlice([]int{1, 3, 224, 224}, x)
	if err != nil {
		return nil, nil, err
	}
	feeds := map[string]*tensor.Tensor{in[0].Name: xt}
	ctx := context.Background()
	var y *tensor.Tensor
	var opts runtime.RunOptions
	perOp := map[string]time.Duration{}
	perNode := map[string]time.Duration{}
	count := map[string]int{}
	run := func() error {
		outs, err := m.RunWith(ctx, feeds, opts)
		if err != nil {
			return err
		}
		y = outs[m.Outputs()[0].Name]
		return nil
	}
	for range warmup {
		if err := run(); err != nil {
			return nil, nil, err
		}
	}
	if steps {
		opts = stepOptions(func(op, node string, d time.Duration) {
			perOp[op] += d
			perNode[op+" "+node] += d
			count[op]++
		})
	}
	for range runs {
		c0 := cpuTime()
		w0 := time.Now()
		if err := run(); err != nil {
			return nil, nil, err
		}
		r.TimesMS = append(r.TimesMS, float64(time.Since(w0))/1e6)
		r.CPUMS = append(r.CPUMS, float64(cpuTime()-c0)/1e6)
	}
	if steps {
		printSteps(filepath.Base(base), perOp, perNode, count, runs)
	}
	if y.DType() != tensor.Float32 {
		return nil, nil, fmt.Errorf("output is %v, want float32", y.DType())
	}
	return r, tensor.Data[float32](y), nil
}

// printSteps prints the mean time per run of each op type, largest first,
// and of the slowest steps.
func printSteps(name string, perOp, perNode map[string]time.Duration, count map[string]int, runs int) {
	ops := make([]string, 0, len(perOp))
	var total time.Duration
	for op, d := range perOp {
		ops = append(ops, op)
		total += d
	}
	sort.Slice(ops, func(i, j int) bool { return perOp[ops[i]] > perOp[ops[j]] })
	fmt.Printf("%s: time per run by op type (sum of steps %.2f ms)\n", name, float64(total)/float64(runs)/1e6)
	for _, op := range ops {
		fmt.Printf("  %-28s %4d steps %8.2f ms %5.1f%%\n", op, count[op]/runs, float64(perOp[op])/float64(runs)/1e6, 100*float64(perOp[op])/float64(total))
	}
	nodes := make([]string, 0, len(perNode))
	for n := range perNode {
		nodes = append(nodes, n)
	}
	sort.Slice(nodes, func(i, j int) bool { return perNode[nodes[i]] > perNode[nodes[j]] })
	fmt.Printf("  slowest steps:\n")
	for _, n := range nodes[:min(10, len(nodes))] {
		fmt.Printf("    %-50s %8.3f ms\n", n, float64(perNode[n])/float64(runs)/1e6)
	}
}

func readFloats(path string) ([]float32, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	v := make([]float32, len(b)/4)
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return v, nil
}

func writeFloats(path string, v []float32) error {
	b := make([]byte, 4*len(v))
	for i, f := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(f))
	}
	return os.WriteFile(path, b, 0o644)
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	return s[len(s)/2]
}

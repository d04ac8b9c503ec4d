package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/optnet-go/optnet"
	"github.com/optnet-go/optnet/gpu"
	"github.com/optnet-go/optnet/importer"
	"github.com/optnet-go/optnet/internal/tensorio"
	"github.com/optnet-go/optnet/models"
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

const runUsage = `Usage: optrun [run] [flags] [MODEL.onnx]

Runs a model and prints each output's name, dtype, shape, min/max/mean and
first values. Without MODEL it runs the built-in default model on its
sample input. Inputs come from files (--input) or are generated from the
declared shapes (--random, --zeros); flags may follow the model.

Input files: NAME=FILE.npy, NAME=FILE.pb (an ONNX TensorProto),
NAME=FILE.npz:KEY, or NAME=FILE.npz (the array named NAME). FILE.npz alone
binds every array named like a model input; FILE.npy or FILE.pb alone
binds the model's only input. Arrays of another numeric dtype than the
model declares are converted, with a notice.
`

// runFlags holds the run command's settings.
type runFlags struct {
	inputs multiFlag
	dims   multiFlag
	random bool
	zeros  bool
	seed   uint64
	out    string
	show   int
	device string
	plot   string
}

// multiFlag is a repeatable string flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func newRunFlags() (*flag.FlagSet, *runFlags) {
	f := &runFlags{}
	fs := newFlagSet("run", runUsage)
	fs.Var(&f.inputs, "input", "input `NAME=FILE` (.npy, .npz[:KEY], .pb); repeatable")
	fs.Var(&f.dims, "dim", "size of a symbolic dimension, `NAME=N` (default 1); repeatable")
	fs.BoolVar(&f.random, "random", false, "fill inputs not given with uniform random values from the declared shapes\n(floats in [0, 1), integers in [0, 10), booleans 50/50)")
	fs.BoolVar(&f.zeros, "zeros", false, "fill inputs not given with zeros from the declared shapes")
	fs.Uint64Var(&f.seed, "seed", 1, "random seed for --random (and for the model's random ops)")
	fs.StringVar(&f.out, "out", "", "write each output to `DIR`/<output name>.npy (DIR is created)")
	fs.IntVar(&f.show, "show", 6, "how many leading values to print per tensor")
	fs.StringVar(&f.device, "device", "auto", "where ops with a GPU kernel (the QP layer) run: auto (CUDA when a GPU\nis usable, else the CPU with a notice), cpu or cuda")
	fs.StringVar(&f.plot, "plot", "", "write a PNG of the first signals of the first input and output (shape (B, L))\nto `FILE`; the built-in model's run writes "+defaultPlot)
	return fs, f
}

// runCmd runs a model (the default one when args name none).
func runCmd(args []string, stdout, stderr io.Writer) error {
	fs, f := newRunFlags()
	pos, err := parseInterleaved(fs, args, stdout)
	if err != nil {
		return err
	}
	if len(pos) > 1 {
		return usagef("run: one model at a time (got %s)", strings.Join(pos, " "))
	}
	if f.random && f.zeros {
		return usagef("run: --random and --zeros exclude each other")
	}
	if f.show < 0 {
		return usagef("run: --show must be >= 0")
	}
	opts := runtime.Options{}
	switch f.device {
	case "auto":
		opts.Device = runtime.Auto
	case "cpu":
		opts.Device = runtime.CPU
	case "cuda":
		if ok, why := gpu.Available(); !ok {
			return usagef("run: --device cuda: no usable GPU (%s); use --device auto or cpu", why)
		}
		opts.Device = runtime.CUDA
	default:
		return usagef("run: --device %q: want auto, cpu or cuda", f.device)
	}
	dims, err := parseDims(f.dims)
	if err != nil {
		return err
	}

	var (
		loaded     *importer.Model
		sample     *models.Sample
		modelPath  string
		loader     = importer.Loader{Registry: optnet.DefaultRegistry()}
		startLoad  = time.Now()
		inputFiles []string
	)
	if len(pos) == 0 {
		sample, err = models.DefaultSample()
		if err != nil {
			return err
		}
		loaded, err = loader.LoadBytes(sample.Model)
		if err != nil {
			return fmt.Errorf("default model: %w", err)
		}
		fmt.Fprintf(stdout, "model: built-in default")
		if doc := loaded.Proto.GetDocString(); doc != "" {
			fmt.Fprintf(stdout, ": %s", strings.SplitN(doc, "\n", 2)[0])
		}
		fmt.Fprintln(stdout)
	} else {
		modelPath = pos[0]
		loaded, err = loader.Load(modelPath)
		if err != nil {
			return err
		}
		inputFiles = append(inputFiles, modelPath)
	}
	model, err := runtime.Compile(loaded.Graph, loader.Registry, opts)
	if err != nil {
		return err
	}
	loadTime := time.Since(startLoad)

	inputs := map[string]*tensor.Tensor{}
	if sample != nil && len(f.inputs) == 0 && !f.random && !f.zeros {
		for k, v := range sample.Inputs {
			inputs[k] = v
		}
	}
	files, err := bindInputFiles(model, f.inputs, inputs, stderr)
	if err != nil {
		return err
	}
	inputFiles = append(inputFiles, files...)
	if err := fillInputs(model, inputs, f, dims, stderr); err != nil {
		return err
	}

	for _, in := range model.Inputs() {
		if t := inputs[in.Name]; t != nil {
			fmt.Fprintf(stdout, "input  %s\n", describe(in.Name, t, f.show))
		}
	}
	start := time.Now()
	out, err := model.RunWith(context.Background(), inputs, runtime.RunOptions{Seed: f.seed})
	if err != nil {
		return err
	}
	runTime := time.Since(start)
	for _, o := range model.Outputs() {
		fmt.Fprintf(stdout, "output %s\n", describe(o.Name, out[o.Name], f.show))
	}
	fmt.Fprintf(stderr, "optrun: load+compile %v, run %v\n", loadTime.Round(time.Microsecond), runTime.Round(time.Microsecond))

	if f.out != "" {
		if err := writeOutputs(f.out, model.Outputs(), out, inputFiles, stdout, stderr); err != nil {
			return err
		}
	}
	if sample != nil && len(f.inputs) == 0 && !f.random && !f.zeros {
		if err := checkSample(sample, inputs, out, stdout); err != nil {
			return err
		}
		plot := f.plot
		if plot == "" {
			plot = defaultPlot
		}
		return plotSignals(plot, model, inputs, out, sample.Target, stdout)
	}
	if f.plot != "" {
		return plotSignals(f.plot, model, inputs, out, nil, stdout)
	}
	return nil
}

// defaultPlot is where the built-in model's run draws its signals.
const defaultPlot = "optrun-default.png"

// plotCount is how many signals the plot shows.
const plotCount = 4

// plotSignals draws the first rows of the model's first input and first
// output (and of the output's target, when there is one) to a PNG.
func plotSignals(path string, model *runtime.Model, inputs, out, target map[string]*tensor.Tensor, stdout io.Writer) error {
	ins, outs := model.Inputs(), model.Outputs()
	if len(ins) == 0 || len(outs) == 0 {
		return fmt.Errorf("--plot: the model needs an input and an output")
	}
	sig := []models.Signals{{Name: ins[0].Name, T: inputs[ins[0].Name]}, {Name: outs[0].Name, T: out[outs[0].Name]}}
	what := ins[0].Name + ", " + outs[0].Name
	if t := target[outs[0].Name]; t != nil {
		sig = append(sig, models.Signals{Name: "clean target", T: t})
		what += ", clean target"
	}
	for _, s := range sig {
		if s.T == nil || s.T.Rank() != 2 {
			return fmt.Errorf("--plot: %s is not a batch of signals of shape (B, L)", s.Name)
		}
	}
	if err := models.PlotSignals(path, plotCount, sig...); err != nil {
		return fmt.Errorf("--plot: %w", err)
	}
	fmt.Fprintf(stdout, "wrote %s (%d signals: %s)\n", path, min(plotCount, sig[0].T.Dim(0)), what)
	return nil
}

// sampleTolerance is how far the default model's output may be from the
// reference output, relative to the reference's largest magnitude (at
// least 1): float32 rounding of a few small layers, or an optimization
// layer solved to a relative accuracy of about 1e-6 and an independent
// solver's answer.
const sampleTolerance = 1e-4

// checkSample compares the default model's outputs with the reference
// outputs and targets shipped with it.
func checkSample(s *models.Sample, inputs, out map[string]*tensor.Tensor, stdout io.Writer) error {
	for _, name := range tensorio.Keys(s.Reference) {
		d, err := maxAbsDiff(out[name], s.Reference[name])
		if err != nil {
			return fmt.Errorf("output %q vs the reference: %w", name, err)
		}
		scale, _ := maxAbsDiff(s.Reference[name], zerosLike(s.Reference[name]))
		tol := sampleTolerance * max(1, scale)
		if d > tol {
			return fmt.Errorf("output %q differs from the reference by %.3g (tolerance %.3g)", name, d, tol)
		}
		fmt.Fprintf(stdout, "output %s matches the reference output (max |diff| %.2g, tolerance %.2g)\n", name, d, tol)
	}
	for _, name := range tensorio.Keys(s.Target) {
		target := s.Target[name]
		got, err := meanSquaredError(out[name], target)
		if err != nil {
			continue
		}
		line := fmt.Sprintf("mean squared error vs the clean target: output %s %.4g", name, got)
		for _, in := range tensorio.Keys(inputs) {
			if base, err := meanSquaredError(inputs[in], target); err == nil {
				line = fmt.Sprintf("mean squared error vs the clean target: input %s %.4g -> output %s %.4g", in, base, name, got)
				break
			}
		}
		fmt.Fprintln(stdout, line)
	}
	return nil
}

// zerosLike is a float64 zero tensor of t's shape.
func zerosLike(t *tensor.Tensor) *tensor.Tensor {
	return tensor.MustFromSlice(t.Shape(), make([]float64, t.Len()))
}

func maxAbsDiff(a, b *tensor.Tensor) (float64, error) {
	if a == nil || b == nil || !tensor.SameShape(a.Shape(), b.Shape()) {
		return 0, fmt.Errorf("shapes differ")
	}
	x, err := tensor.Float64s(a)
	if err != nil {
		return 0, err
	}
	y, err := tensor.Float64s(b)
	if err != nil {
		return 0, err
	}
	worst := 0.0
	for i := range x {
		d := math.Abs(x[i] - y[i])
		if math.IsNaN(d) {
			return math.Inf(1), nil
		}
		worst = max(worst, d)
	}
	return worst, nil
}

func meanSquaredError(a, b *tensor.Tensor) (float64, error) {
	if a == nil || b == nil || !tensor.SameShape(a.Shape(), b.Shape()) || a.Len() == 0 {
		return 0, fmt.Errorf("shapes differ")
	}
	x, err := tensor.Float64s(a)
	if err != nil {
		return 0, err
	}
	y, err := tensor.Float64s(b)
	if err != nil {
		return 0, err
	}
	s := 0.0
	for i := range x {
		s += (x[i] - y[i]) * (x[i] - y[i])
	}
	return s / float64(len(x)), nil
}

// parseDims parses --dim NAME=N flags.
func parseDims(specs []string) (map[string]int, error) {
	dims := map[string]int{}
	for _, s := range specs {
		name, val, ok := strings.Cut(s, "=")
		n, err := strconv.Atoi(val)
		if !ok || name == "" || err != nil || n < 0 {
			return nil, usagef("run: --dim %q: want NAME=N with N >= 0", s)
		}
		dims[name] = n
	}
	return dims, nil
}

// bindInputFiles reads the --input files into inputs and returns the
// paths it read.
func bindInputFiles(m *runtime.Model, specs []string, inputs map[string]*tensor.Tensor, stderr io.Writer) ([]string, error) {
	decl := map[string]runtime.ValueInfo{}
	var names []string
	for _, in := range m.Inputs() {
		decl[in.Name] = in
		names = append(names, in.Name)
	}
	var required []string
	for _, in := range m.Inputs() {
		if !m.Optional(in.Name) {
			required = append(required, in.Name)
		}
	}
	var files []string
	set := func(name string, t *tensor.Tensor, from string) error {
		if _, dup := inputs[name]; dup {
			return usagef("run: input %q is given twice", name)
		}
		t, err := conform(decl[name], t, stderr)
		if err != nil {
			return fmt.Errorf("%s: %w", from, err)
		}
		inputs[name] = t
		return nil
	}
	for _, spec := range specs {
		name, file, named := strings.Cut(spec, "=")
		if named {
			if _, ok := decl[name]; !ok {
				if _, err := os.Stat(spec); err == nil {
					named, file = false, spec // a file name containing '='
				} else {
					return nil, usagef("run: --input %q: the model has no input %q (inputs: %s)", spec, name, strings.Join(names, ", "))
				}
			}
		} else {
			file = spec
		}
		key := ""
		if i := strings.LastIndex(file, ":"); i > 0 && strings.EqualFold(filepath.Ext(file[:i]), ".npz") {
			file, key = file[:i], file[i+1:]
		}
		arrays, err := tensorio.ReadFile(file)
		if err != nil {
			return nil, err
		}
		files = append(files, file)
		isNPZ := strings.EqualFold(filepath.Ext(file), ".npz")
		switch {
		case named && isNPZ:
			if key == "" {
				key = name
				if _, ok := arrays[key]; !ok && len(arrays) == 1 {
					key = tensorio.Keys(arrays)[0]
				}
			}
			t, ok := arrays[key]
			if !ok {
				return nil, usagef("run: --input %q: %s has no array %q (arrays: %s)", spec, file, key, strings.Join(tensorio.Keys(arrays), ", "))
			}
			if err := set(name, t, file); err != nil {
				return nil, err
			}
		case named:
			if err := set(name, arrays[""], file); err != nil {
				return nil, err
			}
		case isNPZ && key != "":
			return nil, usagef("run: --input %q: say which input the array is for: NAME=%s", spec, spec)
		case isNPZ:
			bound := 0
			for _, k := range tensorio.Keys(arrays) {
				if _, ok := decl[k]; !ok {
					fmt.Fprintf(stderr, "optrun: notice: %s: array %q is not a model input; ignored\n", file, k)
					continue
				}
				if err := set(k, arrays[k], file); err != nil {
					return nil, err
				}
				bound++
			}
			if bound == 0 {
				return nil, usagef("run: --input %s: no array is named like a model input (inputs: %s)", file, strings.Join(names, ", "))
			}
		default:
			if len(required) != 1 {
				return nil, usagef("run: --input %s: the model has %d inputs; say which: NAME=%s", file, len(required), file)
			}
			if err := set(required[0], arrays[""], file); err != nil {
				return nil, err
			}
		}
	}
	return files, nil
}

// conform converts t to the declared dtype when both are numeric and they
// differ (NumPy saves float64 by default), with a notice.
func conform(vi runtime.ValueInfo, t *tensor.Tensor, stderr io.Writer) (*tensor.Tensor, error) {
	if vi.DType == tensor.Undefined || t.DType() == vi.DType || !vi.DType.IsNumeric() || !t.DType().IsNumeric() {
		return t, nil
	}
	c, err := tensor.Convert(t, vi.DType)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(stderr, "optrun: notice: input %q converted from %v to %v, the declared type\n", vi.Name, t.DType(), vi.DType)
	return c, nil
}

// fillInputs generates the required inputs not given, or reports them.
func fillInputs(m *runtime.Model, inputs map[string]*tensor.Tensor, f *runFlags, dims map[string]int, stderr io.Writer) error {
	rng := newRand(f.seed)
	used := map[string]bool{}
	noticed := map[string]bool{}
	for _, in := range m.Inputs() {
		if inputs[in.Name] != nil || m.Optional(in.Name) {
			continue
		}
		if !f.random && !f.zeros {
			return usagef("run: input %q (%v %s) is not given: use --input %s=FILE, --random or --zeros", in.Name, in.DType, in.ShapeString(), in.Name)
		}
		if in.Kind != runtime.KindTensor {
			return usagef("run: input %q is not a tensor; --random/--zeros cannot make it", in.Name)
		}
		if in.DType == tensor.Undefined {
			return usagef("run: input %q declares no element type; give it with --input", in.Name)
		}
		if in.Shape == nil {
			return usagef("run: input %q declares no shape; give it with --input", in.Name)
		}
		shape := make([]int, len(in.Shape))
		for i, d := range in.Shape {
			switch {
			case d.Fixed():
				shape[i] = int(d.Value)
			case d.Param != "":
				n, ok := dims[d.Param]
				if !ok {
					n = 1
					if !noticed[d.Param] {
						noticed[d.Param] = true
						fmt.Fprintf(stderr, "optrun: notice: dimension %q set to 1 (use --dim %s=N)\n", d.Param, d.Param)
					}
				}
				used[d.Param] = true
				shape[i] = n
			default:
				shape[i] = 1
				fmt.Fprintf(stderr, "optrun: notice: dimension %d of input %q is unnamed and unknown; set to 1\n", i, in.Name)
			}
		}
		var t *tensor.Tensor
		var err error
		if f.zeros {
			t, err = tensor.Zeros(in.DType, shape...)
		} else {
			t, err = randomTensor(rng, in.DType, shape)
		}
		if err != nil {
			return fmt.Errorf("input %q: %w", in.Name, err)
		}
		inputs[in.Name] = t
	}
	var unused []string
	for name := range dims {
		if !used[name] {
			unused = append(unused, name)
		}
	}
	slices.Sort(unused)
	for _, name := range unused {
		fmt.Fprintf(stderr, "optrun: notice: --dim %s: no generated input has a dimension of that name\n", name)
	}
	return nil
}

// errTestsFailed makes the test command exit 1 after its summary line.
var errTestsFailed = errors.New("some tests failed")

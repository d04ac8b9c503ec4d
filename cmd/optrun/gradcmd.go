package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/optnet-go/optnet"
	"github.com/optnet-go/optnet/importer"
	"github.com/optnet-go/optnet/internal/tensorio"
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

const gradUsage = `Usage: optrun grad MODEL.onnx --input NAME=FILE ... [--output-grad NAME=FILE ...] --out DIR

Runs one forward and one backward pass and writes DIR/grad_<name>.npy for
every float initializer (the trainable parameters) and every float graph
input: the gradient of sum_k <g_k, output_k>, where g_k is the upstream
gradient of output k. Without --output-grad every float output is
differentiated with g = ones; with it, only the outputs it names, with the
given arrays (same shape as the output). Inputs are read as by optrun run.
`

type gradFlags struct {
	inputs   multiFlag
	outGrads multiFlag
	out      string
	training bool
	seed     uint64
}

func newGradFlags() (*flag.FlagSet, *gradFlags) {
	f := &gradFlags{}
	fs := newFlagSet("grad", gradUsage)
	fs.Var(&f.inputs, "input", "input `NAME=FILE` (.npy, .npz[:KEY], .pb); repeatable")
	fs.Var(&f.outGrads, "output-grad", "upstream gradient of an output, `NAME=FILE` (.npy, .npz[:KEY], .pb); repeatable")
	fs.StringVar(&f.out, "out", "", "write the gradients to `DIR`/grad_<name>.npy (required; DIR is created)")
	fs.BoolVar(&f.training, "training", false, "run the forward in training mode (Dropout drops, BatchNorm uses batch statistics)")
	fs.Uint64Var(&f.seed, "seed", 1, "seed for the model's random ops")
	return fs, f
}

func gradCmd(args []string, stdout, stderr io.Writer) error {
	fs, f := newGradFlags()
	pos, err := parseInterleaved(fs, args, stdout)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("grad: want exactly one model (got %d)", len(pos))
	}
	if f.out == "" {
		return usagef("grad: --out DIR is required")
	}
	loader := importer.Loader{Registry: optnet.DefaultRegistry()}
	m, err := loader.Load(pos[0])
	if err != nil {
		return err
	}
	g := m.Graph
	var vars []string
	for name, t := range g.Initializers {
		if t.DType().IsFloat() {
			vars = append(vars, name)
		}
	}
	sort.Strings(vars)
	model, err := runtime.Compile(g, loader.Registry, runtime.Options{Variables: vars})
	if err != nil {
		return err
	}
	inputs := map[string]*tensor.Tensor{}
	if _, err := bindInputFiles(model, f.inputs, inputs, stderr); err != nil {
		return err
	}
	isVar := map[string]bool{}
	for _, v := range vars {
		isVar[v] = true
		inputs[v] = g.Initializers[v]
	}
	wrt := append([]string(nil), vars...)
	for _, in := range model.Inputs() {
		if isVar[in.Name] {
			continue
		}
		if inputs[in.Name] == nil && !model.Optional(in.Name) {
			return usagef("grad: input %q (%v %s) is not given: use --input %s=FILE", in.Name, in.DType, in.ShapeString(), in.Name)
		}
		if t := inputs[in.Name]; t != nil && t.DType().IsFloat() {
			wrt = append(wrt, in.Name)
		}
	}

	// Upstream gradients.
	outInfo := map[string]runtime.ValueInfo{}
	var outNames []string
	for _, o := range model.Outputs() {
		outInfo[o.Name] = o
		outNames = append(outNames, o.Name)
	}
	seeds := map[string]*tensor.Tensor{}
	var diffOut []string
	for _, spec := range f.outGrads {
		name, file, ok := strings.Cut(spec, "=")
		if !ok || name == "" || file == "" {
			return usagef("grad: --output-grad %q: want NAME=FILE", spec)
		}
		if _, ok := outInfo[name]; !ok {
			return usagef("grad: --output-grad %q: the model has no output %q (outputs: %s)", spec, name, strings.Join(outNames, ", "))
		}
		if _, dup := seeds[name]; dup {
			return usagef("grad: --output-grad for %q is given twice", name)
		}
		t, err := readOneTensor(file)
		if err != nil {
			return err
		}
		seeds[name] = t
		diffOut = append(diffOut, name)
	}
	if len(diffOut) == 0 {
		for _, o := range model.Outputs() {
			if o.DType.IsFloat() || o.DType == tensor.Undefined {
				diffOut = append(diffOut, o.Name)
			}
		}
		if len(diffOut) == 0 {
			return fmt.Errorf("grad: the model has no float output to differentiate")
		}
	}
	gp, err := model.Differentiate(diffOut, wrt)
	if err != nil {
		return err
	}
	ctx := context.Background()
	outs, tape, err := gp.Forward(ctx, inputs, runtime.RunOptions{Training: f.training, Seed: f.seed})
	if err != nil {
		return err
	}
	for _, name := range diffOut {
		y := outs[name]
		if y == nil {
			return fmt.Errorf("grad: output %q was not produced", name)
		}
		if !y.DType().IsFloat() {
			return usagef("grad: output %q is %v; only float outputs can be differentiated", name, y.DType())
		}
		s, ok := seeds[name]
		if !ok {
			s, err = onesLike(y)
			if err != nil {
				return err
			}
			seeds[name] = s
			continue
		}
		if !tensor.SameShape(s.Shape(), y.Shape()) {
			return usagef("grad: --output-grad %s has shape %s; the output is %s", name, tensor.ShapeString(s.Shape()), tensor.ShapeString(y.Shape()))
		}
		if s.DType() != y.DType() {
			if s, err = tensor.Convert(s, y.DType()); err != nil {
				return err
			}
			seeds[name] = s
		}
	}
	grads, err := tape.Backward(ctx, seeds)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(f.out, 0o755); err != nil {
		return err
	}
	for _, name := range diffOut {
		fmt.Fprintf(stdout, "output %s\n", describe(name, outs[name], 4))
	}
	written := map[string]string{}
	for _, name := range wrt {
		gr := grads[name]
		if gr == nil {
			ref := inputs[name]
			if gr, err = tensor.Zeros(ref.DType(), ref.Shape()...); err != nil {
				return err
			}
		}
		file := "grad_" + safeName(name) + ".npy"
		if prev, dup := written[file]; dup {
			return fmt.Errorf("grad: %q and %q map to the same file name %s", prev, name, file)
		}
		written[file] = name
		path := filepath.Join(f.out, file)
		if err := writeNPYFile(path, gr); err != nil {
			return err
		}
		kind := "parameter"
		if !isVar[name] {
			kind = "input"
		}
		fmt.Fprintf(stdout, "%-9s %s -> %s\n", kind, describe(name, gr, 4), path)
	}
	return nil
}

// readOneTensor reads a .npy/.pb file, or FILE.npz:KEY, or an .npz with one
// array.
func readOneTensor(spec string) (*tensor.Tensor, error) {
	file, key := spec, ""
	if i := strings.LastIndex(spec, ":"); i > 0 && strings.EqualFold(filepath.Ext(spec[:i]), ".npz") {
		file, key = spec[:i], spec[i+1:]
	}
	arrays, err := tensorio.ReadFile(file)
	if err != nil {
		return nil, err
	}
	if key == "" {
		if t, ok := arrays[""]; ok {
			return t, nil
		}
		if len(arrays) == 1 {
			return arrays[tensorio.Keys(arrays)[0]], nil
		}
		return nil, usagef("%s holds %d arrays; say which: %s:KEY", file, len(arrays), file)
	}
	t, ok := arrays[key]
	if !ok {
		return nil, usagef("%s has no array %q (arrays: %s)", file, key, strings.Join(tensorio.Keys(arrays), ", "))
	}
	return t, nil
}

func onesLike(y *tensor.Tensor) (*tensor.Tensor, error) {
	v := make([]float64, y.Len())
	for i := range v {
		v[i] = 1
	}
	t, err := tensor.FromSlice(append([]int{}, y.Shape()...), v)
	if err != nil {
		return nil, err
	}
	return tensor.Convert(t, y.DType())
}

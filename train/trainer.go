// Package train fine-tunes ONNX models in pure Go: it differentiates the
// compiled graph (every op with a backward rule, the QP layer included),
// applies an optimizer to the float initializers, and hands the trained
// values to the exporter.
//
//	m, _ := importer.Load("model.onnx")
//	tr, err := train.New(m, train.Options{Loss: train.MSE{}, Optimizer: &train.Adam{}, LR: 1e-3})
//	for batch := range batches {
//		loss, err := tr.Step(ctx, batch)
//	}
//	err = tr.Export("trained.onnx", exporter.Options{})
package train

import (
	"context"
	"errors"
	"fmt"
	"math"
	"path"
	"sort"

	"github.com/optnet-go/optnet"
	"github.com/optnet-go/optnet/exporter"
	"github.com/optnet-go/optnet/importer"
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// Options configure a Trainer. Loss is required.
type Options struct {
	// Registry defaults to optnet.DefaultRegistry().
	Registry *runtime.Registry
	// Params selects the trainable initializers by name or path.Match
	// pattern; empty means every float initializer.
	Params []string
	// Freeze excludes initializers (names or patterns) from training.
	Freeze []string
	// Output is the model output the loss reads; "" means the first.
	Output string
	Loss   Loss
	// Optimizer defaults to Adam.
	Optimizer Optimizer
	// LR is the base learning rate (default 1e-3).
	LR float64
	// Schedule scales LR per step (nil: constant).
	Schedule Schedule
	// ClipNorm rescales the gradients when their global L2 norm exceeds it
	// (0: no clipping).
	ClipNorm float64
	// Seed makes Dropout and other random ops reproducible.
	Seed uint64
}

// Batch is one mini-batch: the model inputs by name and the target.
type Batch struct {
	Inputs map[string]*tensor.Tensor
	Target *tensor.Tensor
}

// Trainer trains one model. It is not safe for concurrent use.
type Trainer struct {
	src    *importer.Model
	model  *runtime.Model
	grad   *runtime.GradPlan
	params []string
	values map[string]*tensor.Tensor // current values of every float initializer, owned
	// changed names the initializers training has updated (parameters and
	// state such as BatchNorm running statistics): what Export rewrites.
	changed map[string]bool
	opts   Options
	output string
	step   int
}

// ErrNoParams is returned when the selection matches no float initializer.
var ErrNoParams = errors.New("no trainable parameters")

// New prepares training of m. It compiles the graph with the trainable
// parameters as variables and fails (listing every offending op) if the
// path from them to the output crosses an op without a backward rule.
func New(m *importer.Model, opts Options) (*Trainer, error) {
	if opts.Loss == nil {
		return nil, fmt.Errorf("train: Options.Loss is required")
	}
	if opts.Registry == nil {
		opts.Registry = optnet.DefaultRegistry()
	}
	if opts.Optimizer == nil {
		opts.Optimizer = &Adam{}
	}
	if opts.LR == 0 {
		opts.LR = 1e-3
	}
	params, err := selectParams(m.Graph, opts.Params, opts.Freeze)
	if err != nil {
		return nil, err
	}
	// Every float initializer is a variable, so that state the graph
	// updates (BatchNorm running statistics) can be stored back.
	var vars []string
	for name, t := range m.Graph.Initializers {
		if t.DType().IsFloat() {
			vars = append(vars, name)
		}
	}
	sort.Strings(vars)
	model, err := runtime.Compile(m.Graph, opts.Registry, runtime.Options{Variables: vars})
	if err != nil {
		return nil, err
	}
	output := opts.Output
	outs := model.Outputs()
	if output == "" {
		if len(outs) == 0 {
			return nil, fmt.Errorf("train: the model has no outputs")
		}
		output = outs[0].Name
	}
	gp, err := model.Differentiate([]string{output}, params)
	if err != nil {
		return nil, err
	}
	values := map[string]*tensor.Tensor{}
	for _, name := range vars {
		values[name] = m.Graph.Initializers[name].Clone()
	}
	changed := map[string]bool{}
	for _, p := range params {
		changed[p] = true
	}
	return &Trainer{src: m, model: model, grad: gp, params: params, values: values, changed: changed, opts: opts, output: output}, nil
}

func selectParams(g *runtime.Graph, include, freeze []string) ([]string, error) {
	match := func(name string, pats []string) bool {
		for _, p := range pats {
			if p == name {
				return true
			}
			if ok, _ := path.Match(p, name); ok {
				return true
			}
		}
		return false
	}
	var out []string
	for name, t := range g.Initializers {
		if !t.DType().IsFloat() || t.DType() == tensor.Float16 || t.DType() == tensor.BFloat16 {
			continue
		}
		if len(include) > 0 && !match(name, include) {
			continue
		}
		if match(name, freeze) {
			continue
		}
		out = append(out, name)
	}
	if len(out) == 0 {
		return nil, ErrNoParams
	}
	sort.Strings(out)
	return out, nil
}

// Params returns the names of the trained parameters.
func (t *Trainer) Params() []string { return append([]string(nil), t.params...) }

// Value returns the current value of an initializer (a copy).
func (t *Trainer) Value(name string) *tensor.Tensor {
	if v, ok := t.values[name]; ok {
		return v.Clone()
	}
	return nil
}

// Steps returns how many optimizer steps have been taken.
func (t *Trainer) Steps() int { return t.step }

func (t *Trainer) inputs(b Batch) map[string]*tensor.Tensor {
	in := make(map[string]*tensor.Tensor, len(b.Inputs)+len(t.values))
	for k, v := range t.values {
		in[k] = v
	}
	for k, v := range b.Inputs {
		in[k] = v
	}
	return in
}

// Step runs forward and backward on one batch, updates the parameters and
// returns the batch loss (before the update).
func (t *Trainer) Step(ctx context.Context, b Batch) (float64, error) {
	opts := runtime.RunOptions{Training: true, Seed: t.opts.Seed + uint64(t.step)*0x9e3779b9}
	outs, tape, err := t.grad.Forward(ctx, t.inputs(b), opts)
	if err != nil {
		return 0, err
	}
	y := outs[t.output]
	loss, gy, err := t.opts.Loss.Eval(y, b.Target)
	if err != nil {
		return 0, fmt.Errorf("train: %s loss: %w", t.opts.Loss.Name(), err)
	}
	if math.IsNaN(loss) || math.IsInf(loss, 0) {
		return loss, fmt.Errorf("train: step %d: the loss is %v", t.step, loss)
	}
	grads, err := tape.Backward(ctx, map[string]*tensor.Tensor{t.output: gy})
	if err != nil {
		return 0, err
	}
	for name, v := range tape.UpdatedState() {
		if _, trained := grads[name]; !trained {
			t.values[name] = v
			t.changed[name] = true
		}
	}
	scale := 1.0
	if t.opts.ClipNorm > 0 {
		if n := globalNorm(grads); n > t.opts.ClipNorm {
			scale = t.opts.ClipNorm / n
		}
	}
	lr := t.opts.LR
	if t.opts.Schedule != nil {
		lr *= t.opts.Schedule(t.step)
	}
	for _, name := range t.params {
		g := grads[name]
		if g == nil {
			continue
		}
		if scale != 1 {
			g = scaled(g, scale)
		}
		if err := t.opts.Optimizer.Update(name, t.values[name], g, lr); err != nil {
			return 0, fmt.Errorf("train: parameter %q: %w", name, err)
		}
	}
	t.step++
	return loss, nil
}

// Evaluate runs the model in inference mode on a batch and returns the loss
// and the outputs.
func (t *Trainer) Evaluate(ctx context.Context, b Batch) (float64, map[string]*tensor.Tensor, error) {
	outs, err := t.model.Run(ctx, t.inputs(b))
	if err != nil {
		return 0, nil, err
	}
	if b.Target == nil {
		return 0, outs, nil
	}
	loss, _, err := t.opts.Loss.Eval(outs[t.output], b.Target)
	return loss, outs, err
}

// Values returns the current values of every initializer that training
// may have changed (parameters and updated state), for the exporter.
func (t *Trainer) Values() map[string]*tensor.Tensor {
	out := make(map[string]*tensor.Tensor, len(t.changed))
	for k := range t.changed {
		out[k] = t.values[k]
	}
	return out
}

// Export writes the trained model to path (atomically), with everything
// but the trained initializers preserved.
func (t *Trainer) Export(path string, opts exporter.Options) error {
	return exporter.WriteFile(path, t.src, t.Values(), opts)
}

func globalNorm(grads map[string]*tensor.Tensor) float64 {
	s := 0.0
	for _, g := range grads {
		if g == nil {
			continue
		}
		v, _ := tensor.Float64s(g)
		for _, x := range v {
			s += x * x
		}
	}
	return math.Sqrt(s)
}

func scaled(g *tensor.Tensor, s float64) *tensor.Tensor {
	c := g.Clone()
	switch c.DType() {
	case tensor.Float32:
		d := tensor.Data[float32](c)
		for i := range d {
			d[i] *= float32(s)
		}
	case tensor.Float64:
		d := tensor.Data[float64](c)
		for i := range d {
			d[i] *= s
		}
	}
	return c
}

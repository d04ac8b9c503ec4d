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
	"slices"
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
	// pattern; empty means every float32/float64 initializer except state
	// (BatchNormalization's running statistics) and configuration values
	// (an initializer used only as a Pow exponent, Clip bound, Dropout
	// ratio, Resize scale, Pad value, loss class weight…), which are
	// trained only when named exactly here.
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
	opts    Options
	output  string
	step    int
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
	params, err := selectParams(m.Graph, opts.Params, opts.Freeze, stateInitializers(m.Graph), configInitializers(m.Graph))
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

// stateInputs lists, per op type of the default domain, the inputs that
// are state a training forward updates (runtime.StateUpdater) rather than
// parameters: they are never trained by gradient.
var stateInputs = map[string][]int{
	"BatchNormalization": {3, 4}, // running mean and variance
}

// configInputs lists, per op type of the default domain, float inputs that
// configure the op rather than carry weights. An initializer used only in
// such positions is not selected by default (Options.Params can still name
// it): training an exponent, a clipping bound or a dropout ratio is never
// what a model means.
var configInputs = map[string][]int{
	"Pow":                       {1},       // exponent
	"Clip":                      {1, 2},    // min, max
	"Dropout":                   {1},       // ratio
	"Resize":                    {1, 2},    // roi, scales
	"Upsample":                  {1},       // scales
	"Pad":                       {2},       // constant_value
	"SoftmaxCrossEntropyLoss":   {2},       // class weights
	"NegativeLogLikelihoodLoss": {2},       // class weights
	"QuantizeLinear":            {1, 2},    // scale, zero point
	"DequantizeLinear":          {1, 2},    // scale, zero point
	"Range":                     {0, 1, 2}, // start, limit, delta
}

// stateInitializers returns the initializers that feed a state input of
// a node of the main graph.
func stateInitializers(g *runtime.Graph) map[string]bool {
	st := map[string]bool{}
	for _, n := range g.Nodes {
		if !defaultDomain(n) {
			continue
		}
		for _, i := range stateInputs[n.OpType] {
			if i < len(n.Inputs) {
				if _, ok := g.Initializers[n.Inputs[i]]; ok {
					st[n.Inputs[i]] = true
				}
			}
		}
	}
	return st
}

// configInitializers returns the initializers whose every use in the main
// graph is a configuration input (configInputs).
func configInitializers(g *runtime.Graph) map[string]bool {
	config, other := map[string]bool{}, map[string]bool{}
	for _, n := range g.Nodes {
		var cfg []int
		if defaultDomain(n) {
			cfg = configInputs[n.OpType]
		}
		for i, in := range n.Inputs {
			if _, ok := g.Initializers[in]; !ok {
				continue
			}
			if slices.Contains(cfg, i) {
				config[in] = true
			} else {
				other[in] = true
			}
		}
	}
	for name := range other {
		delete(config, name)
	}
	// A graph output that is an initializer is not a configuration value.
	for _, o := range g.Outputs {
		delete(config, o.Name)
	}
	return config
}

func defaultDomain(n *runtime.Node) bool { return n.Domain == "" || n.Domain == "ai.onnx" }

// selectParams returns the trainable initializers: float32/float64 ones
// matching include (all when empty) but not freeze, never state, and
// configuration values only when include names them exactly.
func selectParams(g *runtime.Graph, include, freeze []string, state, config map[string]bool) ([]string, error) {
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
		if match(name, freeze) || state[name] {
			continue
		}
		if config[name] && !slices.Contains(include, name) {
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
// returns the batch loss (before the update). In a training forward,
// Dropout drops (seeded by Options.Seed and the step number) and
// BatchNormalization normalises with the batch statistics; its running
// statistics are stored back into their initializers.
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
	state := tape.UpdatedState()
	for name, v := range state {
		if _, ok := t.values[name]; ok {
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
		if _, isState := state[name]; isState {
			continue // updated by the forward pass, not by its gradient
		}
		if err := t.update(name, g, scale, lr); err != nil {
			return 0, fmt.Errorf("train: parameter %q: %w", name, err)
		}
	}
	t.step++
	return loss, nil
}

// update applies the optimizer to one parameter with its gradient scaled
// by scale. Gradients from the tape may share storage with each other, so
// they are never scaled in place.
func (t *Trainer) update(name string, g *tensor.Tensor, scale, lr float64) error {
	p := t.values[name]
	if g.DType() != p.DType() {
		c, err := tensor.Convert(g, p.DType())
		if err != nil {
			return err
		}
		g = c
	}
	if su, ok := t.opts.Optimizer.(scaledUpdater); ok {
		return su.updateScaled(name, p, g, scale, lr)
	}
	if scale != 1 {
		g = scaled(g, scale)
	}
	return t.opts.Optimizer.Update(name, p, g, lr)
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

// globalNorm returns the L2 norm of all gradients together, summed in
// float64 in a fixed (sorted) order so that clipping is deterministic.
func globalNorm(grads map[string]*tensor.Tensor) float64 {
	names := make([]string, 0, len(grads))
	for name := range grads {
		names = append(names, name)
	}
	sort.Strings(names)
	s := 0.0
	for _, name := range names {
		switch g := grads[name]; {
		case g == nil:
		case g.DType() == tensor.Float32:
			s += sumSquares(tensor.Data[float32](g))
		case g.DType() == tensor.Float64:
			s += sumSquares(tensor.Data[float64](g))
		default:
			v, _ := tensor.Float64s(g)
			s += sumSquares(v)
		}
	}
	return math.Sqrt(s)
}

func sumSquares[T float32 | float64](v []T) float64 {
	s := 0.0
	for _, x := range v {
		s += float64(x) * float64(x)
	}
	return s
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

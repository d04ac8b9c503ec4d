// Package optnet is the entry point of the optnet runtime: load an ONNX
// model (standard operators plus the com.optnet.QP layer), compile it once,
// and run it many times, concurrently.
//
//	model, err := optnet.Load("model.onnx")
//	if err != nil { ... }
//	out, err := model.Run(ctx, map[string]*tensor.Tensor{"x": x})
//
// The packages underneath do one job each: importer (ONNX files),
// runtime (planning and execution), runtime/tensor (arrays), ops/std and
// ops/qp (operators), exporter (writing ONNX back).
package optnet

import (
	"sync"

	// The CUDA QP solver registers itself with ops/qp, so that models
	// compiled with runtime.Options{Device: runtime.CUDA or runtime.Auto}
	// solve their QP layers on the GPU when one is present. It loads the
	// driver only when asked, and needs neither cgo nor a GPU to build.
	_ "github.com/optnet-go/optnet/gpu/cudaqp"
	"github.com/optnet-go/optnet/importer"
	"github.com/optnet-go/optnet/ops/qp"
	"github.com/optnet-go/optnet/ops/std"
	"github.com/optnet-go/optnet/runtime"
)

// NewRegistry returns a registry holding every operator optnet implements.
// Add your own operators to it with Register.
func NewRegistry() *runtime.Registry {
	r := runtime.NewRegistry()
	if err := std.Register(r); err != nil {
		panic(err) // a duplicate registration is a bug in optnet itself
	}
	if err := qp.Register(r); err != nil {
		panic(err)
	}
	return r
}

var (
	defaultOnce sync.Once
	defaultReg  *runtime.Registry
)

// DefaultRegistry returns a shared registry of every operator optnet
// implements. Do not register into it; use NewRegistry for that.
func DefaultRegistry() *runtime.Registry {
	defaultOnce.Do(func() { defaultReg = NewRegistry() })
	return defaultReg
}

// Options configure Load.
type Options struct {
	// Loader sets import limits; its Registry defaults to Registry below.
	Loader importer.Loader
	// Compile sets planning options.
	Compile runtime.Options
	// Registry defaults to DefaultRegistry().
	Registry *runtime.Registry
}

// Load imports and compiles a model file with default options.
func Load(path string) (*runtime.Model, error) { return LoadWith(path, Options{}) }

// LoadWith imports and compiles a model file.
func LoadWith(path string, opts Options) (*runtime.Model, error) {
	return opts.load(func(l *importer.Loader) (*importer.Model, error) { return l.Load(path) })
}

// LoadBytes imports and compiles a model held in memory.
func LoadBytes(b []byte, opts Options) (*runtime.Model, error) {
	return opts.load(func(l *importer.Loader) (*importer.Model, error) { return l.LoadBytes(b) })
}

// load imports with the configured loader (checking ops against the
// registry) and compiles.
func (opts Options) load(read func(*importer.Loader) (*importer.Model, error)) (*runtime.Model, error) {
	reg := opts.Registry
	if reg == nil {
		reg = DefaultRegistry()
	}
	l := opts.Loader
	if l.Registry == nil {
		l.Registry = reg
	}
	m, err := read(&l)
	if err != nil {
		return nil, err
	}
	return runtime.Compile(m.Graph, reg, opts.Compile)
}

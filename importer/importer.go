// Package importer reads ONNX models: it parses the protobuf, resolves
// external data safely, decodes initializers, converts the graph to the
// runtime's form, and (given a registry) lists every unsupported operator
// at once.
//
//	m, err := importer.Load("model.onnx")
//	if err != nil { ... }
//	compiled, err := runtime.Compile(m.Graph, registry, runtime.Options{})
package importer

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"google.golang.org/protobuf/proto"

	"github.com/optnet-go/optnet/onnxpb"
	"github.com/optnet-go/optnet/runtime"
)

// Model is an imported ONNX model.
type Model struct {
	// Proto is the parsed message, untouched (external data is not
	// inlined into it); the exporter writes from it.
	Proto *onnxpb.ModelProto
	// Graph is the runtime form of the main graph, initializers decoded.
	Graph *runtime.Graph
}

// Opset returns the imported opset version of a domain ("" or "ai.onnx" is
// the default domain), or 0 if the model does not import it.
func (m *Model) Opset(domain string) int {
	if domain == "ai.onnx" {
		domain = ""
	}
	return m.Graph.Opsets[domain]
}

// Loader reads models. Its zero value is ready to use with default limits.
type Loader struct {
	// MaxTensorBytes refuses any tensor whose declared size is larger,
	// before allocating it. Zero means 2 GiB.
	MaxTensorBytes int64
	// MaxModelBytes refuses model files larger than this. Zero means 2 GiB
	// (the protobuf limit).
	MaxModelBytes int64
	// Registry, when set, makes loading fail with a *runtime.UnsupportedError
	// listing every operator the registry cannot serve.
	Registry *runtime.Registry
	// Dir is where external data is looked up for LoadReader and
	// LoadBytes; Load uses the model file's directory.
	Dir string
}

const (
	defaultMaxTensorBytes = 2 << 30
	defaultMaxModelBytes  = 2 << 30
)

func (l *Loader) maxTensor() int64 {
	if l.MaxTensorBytes > 0 {
		return l.MaxTensorBytes
	}
	return defaultMaxTensorBytes
}

func (l *Loader) maxModel() int64 {
	if l.MaxModelBytes > 0 {
		return l.MaxModelBytes
	}
	return defaultMaxModelBytes
}

// Load reads a model file with the default Loader.
func Load(path string) (*Model, error) { return (&Loader{}).Load(path) }

// LoadReader reads a model from r with the default Loader. External data
// cannot be resolved (there is no directory).
func LoadReader(r io.Reader) (*Model, error) { return (&Loader{}).LoadReader(r) }

// LoadBytes decodes a model from memory with the default Loader.
func LoadBytes(b []byte) (*Model, error) { return (&Loader{}).LoadBytes(b) }

// LoadFS reads the model file name from fsys with the default Loader;
// external data is resolved inside fsys, relative to the model's directory.
func LoadFS(fsys fs.FS, name string) (*Model, error) { return (&Loader{}).LoadFS(fsys, name) }

// Load reads a model file; external data is resolved relative to the
// file's directory and may not leave it.
func (l *Loader) Load(file string) (*Model, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := l.readAll(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	dir := filepath.Dir(file)
	var root *os.Root
	defer func() {
		if root != nil {
			root.Close()
		}
	}()
	m, err := l.decode(b, func() (fs.FS, string, error) {
		var err error
		if root, err = os.OpenRoot(dir); err != nil {
			return nil, "", err
		}
		return root.FS(), ".", nil
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return m, nil
}

// LoadReader reads a model from r. External data is resolved in l.Dir,
// and is an error when l.Dir is empty.
func (l *Loader) LoadReader(r io.Reader) (*Model, error) {
	b, err := l.readAll(r)
	if err != nil {
		return nil, err
	}
	return l.LoadBytes(b)
}

// LoadBytes decodes a model from memory. External data is resolved in
// l.Dir, and is an error when l.Dir is empty.
func (l *Loader) LoadBytes(b []byte) (*Model, error) {
	if int64(len(b)) > l.maxModel() {
		return nil, fmt.Errorf("%w: model of %d bytes exceeds the %d-byte limit", ErrTooLarge, len(b), l.maxModel())
	}
	var root *os.Root
	defer func() {
		if root != nil {
			root.Close()
		}
	}()
	return l.decode(b, func() (fs.FS, string, error) {
		if l.Dir == "" {
			return nil, "", fmt.Errorf("%w: the model uses external data but was not loaded from a file (set Loader.Dir)", ErrExternalData)
		}
		var err error
		if root, err = os.OpenRoot(l.Dir); err != nil {
			return nil, "", err
		}
		return root.FS(), ".", nil
	})
}

// LoadFS reads the model file name from fsys; external data is resolved in
// fsys relative to the model's directory.
func (l *Loader) LoadFS(fsys fs.FS, name string) (*Model, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := l.readAll(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	m, err := l.decode(b, func() (fs.FS, string, error) { return fsys, path.Dir(name), nil })
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return m, nil
}

func (l *Loader) readAll(r io.Reader) ([]byte, error) {
	limit := l.maxModel()
	var buf bytes.Buffer
	n, err := io.Copy(&buf, io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if n > limit {
		return nil, fmt.Errorf("%w: model exceeds the %d-byte limit", ErrTooLarge, limit)
	}
	return buf.Bytes(), nil
}

// decode parses b; openDir is called (once) only if external data is used.
func (l *Loader) decode(b []byte, openDir func() (fs.FS, string, error)) (*Model, error) {
	mp := &onnxpb.ModelProto{}
	if err := proto.Unmarshal(b, mp); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if mp.Graph == nil {
		return nil, fmt.Errorf("%w: the model has no graph", ErrMalformed)
	}
	opsets := map[string]int{}
	for _, os := range mp.OpsetImport {
		d := os.GetDomain()
		if d == "ai.onnx" {
			d = ""
		}
		if os.GetVersion() < 1 || os.GetVersion() > 1<<20 {
			return nil, fmt.Errorf("%w: opset_import of domain %q has version %d", ErrInvalidGraph, os.GetDomain(), os.GetVersion())
		}
		opsets[d] = int(os.GetVersion())
	}
	if len(mp.OpsetImport) == 0 {
		// IR version 2 models predate opset_import; they mean opset 1.
		opsets[""] = 1
	}
	d := &decoder{loader: l, openDir: openDir, functions: map[string]*onnxpb.FunctionProto{}}
	for _, f := range mp.Functions {
		d.functions[functionKey(f.GetDomain(), f.GetName(), f.GetOverload())] = f
	}
	g, err := d.graph(mp.Graph, opsets, 0)
	if err != nil {
		return nil, err
	}
	if l.Registry != nil {
		if err := l.Registry.CheckSupported(g); err != nil {
			return nil, err
		}
	}
	return &Model{Proto: mp, Graph: g}, nil
}

// safeLocation checks an external-data location: relative, local (no ".."
// element), not naming a device. Symlinks are checked when opening (the
// directory is opened as an os.Root, which refuses links that leave it).
func safeLocation(loc string) (string, error) {
	if loc == "" {
		return "", fmt.Errorf("%w: empty location", ErrExternalData)
	}
	if strings.ContainsRune(loc, 0) {
		return "", fmt.Errorf("%w: location %q contains a NUL byte", ErrExternalData, loc)
	}
	slashed := filepath.ToSlash(loc)
	if filepath.IsAbs(loc) || path.IsAbs(slashed) || strings.HasPrefix(slashed, "//") || (len(loc) > 1 && loc[1] == ':') {
		return "", fmt.Errorf("%w: location %q is absolute; it must be relative to the model's directory", ErrExternalData, loc)
	}
	if !filepath.IsLocal(loc) || !fs.ValidPath(path.Clean(slashed)) {
		return "", fmt.Errorf("%w: location %q leaves the model's directory", ErrExternalData, loc)
	}
	return path.Clean(slashed), nil
}

var errNoExternal = errors.New("no external data")

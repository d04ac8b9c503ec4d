// Package models holds the models built into optnet: the default model
// that `optrun` runs when given no arguments, with a sample input.
//
// The default model lives in the folder default/, embedded at build time:
//
//	default/model.onnx            the model
//	default/inputs/<name>.npy     a sample value for each model input
//	default/reference/<name>.npy  (optional) the exporting framework's
//	                              output on the sample, for tests
//	default/target/<name>.npy     (optional) what the output should
//	                              approximate (for a denoiser: the clean
//	                              signal), to show how well it does
//
// Swapping the default model means replacing those files; no code
// changes. Today they are the OptNet-tuned TV denoiser's sample written by
// `go run ./models/denoise` (folder models/denoise/sample/, reference by
// models/denoise/reference.py); scripts/make_default_model.py wrote the
// earlier MLP.
package models

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/optnet-go/optnet/internal/tensorio"
	"github.com/optnet-go/optnet/runtime/tensor"
)

//go:embed default
var files embed.FS

// Sample is a model together with data to run it on.
type Sample struct {
	// Model is the ONNX model file's bytes.
	Model []byte
	// Inputs holds a value for every input the model requires.
	Inputs map[string]*tensor.Tensor
	// Reference holds outputs computed by the framework that exported the
	// model (PyTorch) on Inputs; may be empty.
	Reference map[string]*tensor.Tensor
	// Target holds what outputs should approximate; may be empty.
	Target map[string]*tensor.Tensor
}

// Default returns the default model's bytes and its sample inputs. The
// embedded files are checked by this package's tests, so it panics only if
// the binary itself was built from broken files.
func Default() (model []byte, inputs map[string]*tensor.Tensor) {
	s, err := DefaultSample()
	if err != nil {
		panic(err)
	}
	return s.Model, s.Inputs
}

// DefaultSample returns the default model with its sample inputs,
// reference outputs and targets.
func DefaultSample() (*Sample, error) { return load(files, "default") }

func load(fsys fs.FS, dir string) (*Sample, error) {
	model, err := fs.ReadFile(fsys, path.Join(dir, "model.onnx"))
	if err != nil {
		return nil, fmt.Errorf("models: %w", err)
	}
	s := &Sample{Model: model}
	for _, part := range []struct {
		sub string
		dst *map[string]*tensor.Tensor
	}{{"inputs", &s.Inputs}, {"reference", &s.Reference}, {"target", &s.Target}} {
		m, err := readArrays(fsys, path.Join(dir, part.sub))
		if err != nil {
			return nil, err
		}
		*part.dst = m
	}
	if len(s.Inputs) == 0 {
		return nil, fmt.Errorf("models: %s/inputs holds no .npy files", dir)
	}
	return s, nil
}

// readArrays reads every <name>.npy of a folder; a missing folder is empty.
func readArrays(fsys fs.FS, dir string) (map[string]*tensor.Tensor, error) {
	out := map[string]*tensor.Tensor{}
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return out, nil
		}
		return nil, fmt.Errorf("models: %w", err)
	}
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".npy")
		if !ok || e.IsDir() {
			continue
		}
		b, err := fs.ReadFile(fsys, path.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("models: %w", err)
		}
		t, err := tensorio.ReadNPY(bytes.NewReader(b))
		if err != nil {
			return nil, fmt.Errorf("models: %s/%s: %w", dir, e.Name(), err)
		}
		out[name] = t
	}
	return out, nil
}

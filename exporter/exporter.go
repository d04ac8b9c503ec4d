// Package exporter writes models back to ONNX: an imported model with
// some initializers replaced (trained parameters), everything else — node
// order and names, opset imports, metadata, doc strings, value_info,
// custom attributes, functions — preserved.
//
//	m, _ := importer.Load("model.onnx")
//	... train, producing new values for some initializers ...
//	err := exporter.WriteFile("trained.onnx", m, newValues, exporter.Options{})
package exporter

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"

	"google.golang.org/protobuf/proto"

	"github.com/optnet-go/optnet/importer"
	"github.com/optnet-go/optnet/onnxpb"
	"github.com/optnet-go/optnet/runtime/tensor"
	"github.com/optnet-go/optnet/tensorpb"
)

// Options control how a model is written.
type Options struct {
	// ExternalData stores initializers of at least ExternalThreshold bytes
	// in a side file next to the model (WriteFile only), as ONNX external
	// data. Otherwise every tensor is stored inline.
	ExternalData bool
	// ExternalThreshold defaults to 1024 bytes.
	ExternalThreshold int64
	// ExternalFile names the side file, relative to the model's directory;
	// the default is the model's file name plus ".data".
	ExternalFile string
}

// Build returns the ModelProto to write: a deep copy of src.Proto in which
// each main-graph initializer named in values is re-encoded from it, and
// initializers that were stored externally are inlined (their decoded
// values come from src.Graph). Opset imports gain any domain the nodes use
// but the model does not declare (version 1). src is not modified.
func Build(src *importer.Model, values map[string]*tensor.Tensor) (*onnxpb.ModelProto, error) {
	if src == nil || src.Proto == nil || src.Graph == nil {
		return nil, fmt.Errorf("exporter: no model")
	}
	mp := proto.Clone(src.Proto).(*onnxpb.ModelProto)
	g := mp.Graph
	seen := map[string]bool{}
	for i, tp := range g.Initializer {
		name := tp.GetName()
		seen[name] = true
		v, updated := values[name]
		external := tp.GetDataLocation() == onnxpb.TensorProto_EXTERNAL
		if !updated && !external {
			continue
		}
		if !updated {
			v = src.Graph.Initializers[name]
			if v == nil {
				return nil, fmt.Errorf("exporter: external initializer %q has no decoded value", name)
			}
		}
		if want, err := tensorpb.DType(tp.GetDataType()); err != nil || want != v.DType() {
			return nil, fmt.Errorf("exporter: initializer %q is %v in the model, the new value is %v", name, want, v.DType())
		}
		enc := tensorpb.Encode(name, v)
		enc.DocString = tp.DocString
		enc.MetadataProps = tp.MetadataProps
		g.Initializer[i] = enc
	}
	var missing []string
	for name := range values {
		if !seen[name] {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return nil, fmt.Errorf("exporter: %q are not initializers of the model's main graph", missing)
	}
	declareDomains(mp)
	return mp, nil
}

// declareDomains adds an opset import (version 1) for every node domain
// the model uses but does not import — onnx.checker refuses such models.
func declareDomains(mp *onnxpb.ModelProto) {
	have := map[string]bool{}
	for _, os := range mp.OpsetImport {
		d := os.GetDomain()
		if d == "ai.onnx" {
			d = ""
		}
		have[d] = true
	}
	local := map[string]bool{}
	for _, f := range mp.Functions {
		local[f.GetDomain()+"::"+f.GetName()] = true
	}
	var walk func(g *onnxpb.GraphProto)
	walk = func(g *onnxpb.GraphProto) {
		for _, n := range g.GetNode() {
			d := n.GetDomain()
			if d == "ai.onnx" {
				d = ""
			}
			if !have[d] && !local[n.GetDomain()+"::"+n.GetOpType()] {
				have[d] = true
				v := int64(1)
				mp.OpsetImport = append(mp.OpsetImport, &onnxpb.OperatorSetIdProto{Domain: proto.String(d), Version: &v})
			}
			for _, a := range n.GetAttribute() {
				if a.G != nil {
					walk(a.G)
				}
				for _, sg := range a.Graphs {
					walk(sg)
				}
			}
		}
	}
	walk(mp.Graph)
}

// Write encodes the model (see Build) to w with every tensor inline.
func Write(w io.Writer, src *importer.Model, values map[string]*tensor.Tensor) error {
	mp, err := Build(src, values)
	if err != nil {
		return err
	}
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(mp)
	if err != nil {
		return fmt.Errorf("exporter: %w", err)
	}
	_, err = w.Write(b)
	return err
}

// WriteFile writes the model (see Build) to path atomically: into a
// temporary file in the same directory, renamed over path only when
// complete, so a crash never leaves a truncated model. With
// opts.ExternalData, large initializers go to a side file written the
// same way, first.
func WriteFile(path string, src *importer.Model, values map[string]*tensor.Tensor, opts Options) error {
	mp, err := Build(src, values)
	if err != nil {
		return err
	}
	if opts.ExternalData {
		if err := externalize(mp, path, opts); err != nil {
			return err
		}
	}
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(mp)
	if err != nil {
		return fmt.Errorf("exporter: %w", err)
	}
	return AtomicWrite(path, b)
}

// externalize moves large initializers' bytes into the side file.
func externalize(mp *onnxpb.ModelProto, path string, opts Options) error {
	threshold := opts.ExternalThreshold
	if threshold <= 0 {
		threshold = 1024
	}
	side := opts.ExternalFile
	if side == "" {
		side = filepath.Base(path) + ".data"
	}
	if !filepath.IsLocal(side) {
		return fmt.Errorf("exporter: external file %q must be relative to the model's directory", side)
	}
	var data []byte
	for _, tp := range mp.Graph.Initializer {
		if int64(len(tp.RawData)) < threshold || tp.GetDataType() == int32(onnxpb.TensorProto_STRING) {
			continue
		}
		// Align each tensor to 64 bytes, as onnx does, for mmap users.
		for len(data)%64 != 0 {
			data = append(data, 0)
		}
		off := len(data)
		data = append(data, tp.RawData...)
		tp.ExternalData = []*onnxpb.StringStringEntryProto{
			{Key: proto.String("location"), Value: proto.String(filepath.ToSlash(side))},
			{Key: proto.String("offset"), Value: proto.String(strconv.Itoa(off))},
			{Key: proto.String("length"), Value: proto.String(strconv.Itoa(len(tp.RawData)))},
		}
		loc := onnxpb.TensorProto_EXTERNAL
		tp.DataLocation = &loc
		tp.RawData = nil
	}
	if len(data) == 0 {
		return nil
	}
	return AtomicWrite(filepath.Join(filepath.Dir(path), side), data)
}

// AtomicWrite writes b to path through a temporary file in the same
// directory and a rename.
func AtomicWrite(path string, b []byte) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	ok := false
	defer func() {
		if !ok {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if _, err := f.Write(b); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp, 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	ok = true
	return nil
}

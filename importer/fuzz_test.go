package importer_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	goruntime "runtime"
	"testing"
	"time"

	"github.com/optnet-go/optnet"
	"github.com/optnet-go/optnet/importer"
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// FuzzLoadBytes feeds arbitrary bytes to the importer (external data
// resolving in a folder of its own), then compiles (and,
// when every input is a small fixed-shape tensor, runs) what it accepts.
// Every outcome must be a model or an error: no panic, no huge
// allocation, and no ErrInternal (an op that panicked, recovered by the
// runtime; that is a bug to fix, not a pass).
//
// The committed corpus (testdata/fuzz/FuzzLoadBytes) runs with the normal
// tests; docs/robustness.md says how to fuzz for longer.
func FuzzLoadBytes(f *testing.F) {
	for _, b := range seedModels(f) {
		f.Add(b)
	}
	if b, err := os.ReadFile("../models/default/model.onnx"); err == nil {
		f.Add(b)
	}
	// External data resolves in a folder holding one 64-byte file, w.bin
	// (the seeds' location), and a subfolder.
	dir := f.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "w.bin"), weightsFile(), 0o644); err != nil {
		f.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
		f.Fatal(err)
	}
	reg := optnet.DefaultRegistry()
	f.Fuzz(func(t *testing.T, b []byte) {
		const limit = 1 << 20
		var before, after goruntime.MemStats
		goruntime.ReadMemStats(&before)
		l := importer.Loader{MaxTensorBytes: limit, MaxModelBytes: limit, Dir: dir}
		m, err := l.LoadBytes(b)
		goruntime.ReadMemStats(&after)
		// Decoding allocates in proportion to the input (protobuf
		// messages, tensors within the limit), never to declared sizes.
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<20+uint64(200*len(b)) {
			t.Fatalf("loading %d bytes allocated %d bytes", len(b), alloc)
		}
		if err != nil {
			if errors.Is(err, runtime.ErrInternal) && !knownFinding(err) {
				t.Fatalf("importer: %v", err)
			}
			return
		}
		if m.Graph == nil || m.Proto == nil {
			t.Fatal("nil graph without an error")
		}
		if reg.CheckSupported(m.Graph) != nil {
			return
		}
		cm, err := runtime.Compile(m.Graph, reg, runtime.Options{MaxTensorBytes: limit})
		if err != nil {
			if errors.Is(err, runtime.ErrInternal) && !knownFinding(err) {
				t.Fatalf("compile: %v", err)
			}
			return
		}
		inputs, ok := zeroInputs(cm)
		if !ok {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if _, err := cm.Run(ctx, inputs); errors.Is(err, runtime.ErrInternal) && !knownFinding(err) {
			t.Fatalf("run: %v", err)
		}
	})
}

// knownFinding reports whether err matches the regular expression in the
// environment variable OPTNET_FUZZ_KNOWN: crashes already reported, which
// a long fuzzing session should step over.
func knownFinding(err error) bool {
	re := os.Getenv("OPTNET_FUZZ_KNOWN")
	return re != "" && regexp.MustCompile(re).MatchString(err.Error())
}

// zeroInputs makes zero tensors for a model whose required inputs all
// have a known dtype and a small fixed shape.
func zeroInputs(m *runtime.Model) (map[string]*tensor.Tensor, bool) {
	in := map[string]*tensor.Tensor{}
	for _, vi := range m.Inputs() {
		if m.Optional(vi.Name) {
			continue
		}
		if vi.Kind != runtime.KindTensor || !vi.DType.Valid() || vi.Shape == nil {
			return nil, false
		}
		shape := make([]int, len(vi.Shape))
		n := 1
		for i, d := range vi.Shape {
			if !d.Fixed() || d.Value > 64 {
				return nil, false
			}
			shape[i] = int(d.Value)
			n *= shape[i]
		}
		if n > 4096 {
			return nil, false
		}
		t, err := tensor.Zeros(vi.DType, shape...)
		if err != nil {
			return nil, false
		}
		in[vi.Name] = t
	}
	return in, true
}

// seedModels are small valid and near-valid models covering the
// importer's features: initializers, sparse initializers, functions,
// subgraphs, IR-3 inputs, huge declared sizes.
func seedModels(tb testing.TB) [][]byte {
	return [][]byte{
		modelWithInit(tb, externalTensor("w", []int64{2, 3}, "location", "w.bin", "offset", "8", "length", "24")),
		modelWithInit(tb, externalTensor("w", []int64{2, 3}, "location", "../w.bin")),
		hugeInitModel(tb, 1000000, 1000000),
		hugeConstantModel(tb),
		sparseModel(tb, []int64{2, 3}, []int64{0, 4, 5}, []float32{7, 8, 9}),
		sparseModel(tb, []int64{2, 3}, []int64{0, 0, 1, 1, 1, 2}, []float32{7, 8, 9}),
		functionModel(tb),
		subgraphModel(tb),
	}
}

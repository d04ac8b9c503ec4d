package importer_test

import (
	"encoding/binary"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"

	"google.golang.org/protobuf/proto"

	"github.com/optnet-go/optnet/importer"
	"github.com/optnet-go/optnet/onnxbuild"
	"github.com/optnet-go/optnet/onnxpb"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// mustBytes serializes a model built with onnxbuild.
func mustBytes(t testing.TB, m *onnxbuild.Model) []byte {
	t.Helper()
	b, err := m.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// externalTensor is a float32 TensorProto whose data lives in a file; kv
// are external_data key/value pairs.
func externalTensor(name string, dims []int64, kv ...string) *onnxpb.TensorProto {
	tp := &onnxpb.TensorProto{
		Name:         proto.String(name),
		Dims:         dims,
		DataType:     proto.Int32(int32(onnxpb.TensorProto_FLOAT)),
		DataLocation: onnxpb.TensorProto_EXTERNAL.Enum(),
	}
	for i := 0; i+1 < len(kv); i += 2 {
		tp.ExternalData = append(tp.ExternalData, &onnxpb.StringStringEntryProto{Key: proto.String(kv[i]), Value: proto.String(kv[i+1])})
	}
	return tp
}

// modelWithInit is y = x + w, w an initializer given as a TensorProto.
func modelWithInit(t testing.TB, w *onnxpb.TensorProto) []byte {
	t.Helper()
	m := onnxbuild.New("ext", map[string]int64{"": 13})
	m.Input("x", tensor.Float32, 2, 3)
	m.Graph().Initializer = append(m.Graph().Initializer, w)
	m.Node("Add", []string{"x", w.GetName()}, []string{"y"})
	m.Output("y", tensor.Float32, 2, 3)
	return mustBytes(t, m)
}

func float32Bytes(v ...float32) []byte {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	return b
}

var wantW = []float32{1, 2, 3, 4, 5, 6}

// weightsFile is 8 bytes of padding, the six floats of wantW, then 4
// bytes of trailer, so offset 8 / length 24 selects exactly wantW.
func weightsFile() []byte {
	b := append([]byte("PADDING!"), float32Bytes(wantW...)...)
	return append(b, "TAIL"...)
}

func checkW(t *testing.T, m *importer.Model) {
	t.Helper()
	w := m.Graph.Initializers["w"]
	if w == nil {
		t.Fatal("initializer w missing")
	}
	if !reflect.DeepEqual(w.Shape(), []int{2, 3}) || !reflect.DeepEqual(tensor.Data[float32](w), wantW) {
		t.Fatalf("w = %v %v, want (2, 3) %v", w.Shape(), w.Raw(), wantW)
	}
}

func TestExternalDataValid(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "data"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "data", "w.bin"), weightsFile(), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := map[string][]string{
		"offset and length": {"location", "data/w.bin", "offset", "8", "length", "24"},
		"offset only":       {"location", "data/w.bin", "offset", "8"},
		"dot segments":      {"location", "./data/../data/w.bin", "offset", "8"},
	}
	for name, kv := range cases {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, "model.onnx")
			if err := os.WriteFile(path, modelWithInit(t, externalTensor("w", []int64{2, 3}, kv...)), 0o644); err != nil {
				t.Fatal(err)
			}
			m, err := importer.Load(path)
			if err != nil {
				t.Fatal(err)
			}
			checkW(t, m)
			// The proto is left as it was: external, not inlined.
			if m.Proto.Graph.Initializer[0].GetDataLocation() != onnxpb.TensorProto_EXTERNAL {
				t.Error("external data was inlined into Model.Proto")
			}
		})
	}
}

func TestExternalDataRejected(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "model")
	if err := os.MkdirAll(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	// A file outside the model's directory, reachable by "..", an
	// absolute path, or a symlink.
	outside := filepath.Join(root, "secret.bin")
	if err := os.WriteFile(outside, weightsFile(), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "w.bin"), weightsFile(), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(dir, "escape.bin")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join("..", ".."), filepath.Join(dir, "sub", "up")); err != nil {
		t.Fatal(err)
	}
	cases := map[string][]string{
		"absolute path":       {"location", outside},
		"dot-dot":             {"location", "../secret.bin"},
		"dot-dot inside":      {"location", "sub/../../secret.bin"},
		"symlink escaping":    {"location", "escape.bin", "offset", "8"},
		"symlinked directory": {"location", "sub/up/secret.bin", "offset", "8"},
		"offset past the end": {"location", "w.bin", "offset", "100"},
		"range past the end":  {"location", "w.bin", "offset", "16"},
		"length mismatch":     {"location", "w.bin", "offset", "8", "length", "20"},
		"negative offset":     {"location", "w.bin", "offset", "-8"},
		"garbage offset":      {"location", "w.bin", "offset", "8x"},
		"huge offset":         {"location", "w.bin", "offset", "9223372036854775807"},
		"missing file":        {"location", "nope.bin"},
		"a directory":         {"location", "sub"},
		"no location":         {"offset", "8"},
		"empty location":      {"location", ""},
		"NUL in location":     {"location", "w.bin\x00.txt"},
		"device name":         {"location", "/dev/zero"},
	}
	for name, kv := range cases {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, "model.onnx")
			if err := os.WriteFile(path, modelWithInit(t, externalTensor("w", []int64{2, 3}, kv...)), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := importer.Load(path)
			if !errors.Is(err, importer.ErrExternalData) {
				t.Fatalf("got %v, want ErrExternalData", err)
			}
			if !strings.Contains(err.Error(), `"w"`) {
				t.Errorf("error %q does not name the tensor", err)
			}
		})
	}
}

// TestExternalDataSizeCheckedFirst: a tensor declaring an enormous shape
// is refused by size before its file is even looked for.
func TestExternalDataSizeCheckedFirst(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "model.onnx")
	w := externalTensor("w", []int64{1 << 20, 1 << 20}, "location", "absent.bin")
	if err := os.WriteFile(path, modelWithInit(t, w), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := importer.Load(path); !errors.Is(err, importer.ErrTooLarge) {
		t.Fatalf("got %v, want ErrTooLarge", err)
	}
	// A string tensor cannot be external at all.
	s := externalTensor("w", []int64{2}, "location", "w.bin")
	s.DataType = proto.Int32(int32(onnxpb.TensorProto_STRING))
	if err := os.WriteFile(path, modelWithInit(t, s), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := importer.Load(path); !errors.Is(err, importer.ErrExternalData) {
		t.Fatalf("string tensor: got %v, want ErrExternalData", err)
	}
}

func TestExternalDataInsideSymlink(t *testing.T) {
	// A symlink that stays inside the model's directory is fine.
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "w.bin"), weightsFile(), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("w.bin", filepath.Join(dir, "alias.bin")); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "model.onnx")
	if err := os.WriteFile(path, modelWithInit(t, externalTensor("w", []int64{2, 3}, "location", "alias.bin", "offset", "8")), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := importer.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	checkW(t, m)
}

func TestLoadFS(t *testing.T) {
	model := modelWithInit(t, externalTensor("w", []int64{2, 3}, "location", "weights/w.bin", "offset", "8", "length", "24"))
	fsys := fstest.MapFS{
		"models/m/model.onnx":    {Data: model},
		"models/m/weights/w.bin": {Data: weightsFile()},
		"models/secret.bin":      {Data: weightsFile()},
	}
	m, err := importer.LoadFS(fsys, "models/m/model.onnx")
	if err != nil {
		t.Fatal(err)
	}
	checkW(t, m)

	fsys["models/m/escape.onnx"] = &fstest.MapFile{Data: modelWithInit(t, externalTensor("w", []int64{2, 3}, "location", "../secret.bin", "offset", "8"))}
	if _, err := importer.LoadFS(fsys, "models/m/escape.onnx"); !errors.Is(err, importer.ErrExternalData) {
		t.Fatalf("escape: got %v, want ErrExternalData", err)
	}
	fsys["models/m/missing.onnx"] = &fstest.MapFile{Data: modelWithInit(t, externalTensor("w", []int64{2, 3}, "location", "weights/nope.bin"))}
	if _, err := importer.LoadFS(fsys, "models/m/missing.onnx"); !errors.Is(err, importer.ErrExternalData) {
		t.Fatalf("missing: got %v, want ErrExternalData", err)
	}
	if _, err := importer.LoadFS(fsys, "models/m/absent.onnx"); err == nil {
		t.Fatal("absent model file: no error")
	}
}

func TestLoadBytesExternalNeedsDir(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "w.bin"), weightsFile(), 0o644); err != nil {
		t.Fatal(err)
	}
	model := modelWithInit(t, externalTensor("w", []int64{2, 3}, "location", "w.bin", "offset", "8"))
	_, err := importer.LoadBytes(model)
	if !errors.Is(err, importer.ErrExternalData) || !strings.Contains(err.Error(), "Loader.Dir") {
		t.Fatalf("LoadBytes: got %v, want ErrExternalData mentioning Loader.Dir", err)
	}
	if _, err := importer.LoadReader(strings.NewReader(string(model))); !errors.Is(err, importer.ErrExternalData) {
		t.Fatalf("LoadReader: got %v, want ErrExternalData", err)
	}
	l := importer.Loader{Dir: dir}
	m, err := l.LoadBytes(model)
	if err != nil {
		t.Fatal(err)
	}
	checkW(t, m)
	m, err = l.LoadReader(strings.NewReader(string(model)))
	if err != nil {
		t.Fatal(err)
	}
	checkW(t, m)
	// Dir confines like the model's own directory does.
	up := modelWithInit(t, externalTensor("w", []int64{2, 3}, "location", "../w.bin", "offset", "8"))
	l.Dir = filepath.Join(dir, "sub")
	if _, err := l.LoadBytes(up); !errors.Is(err, importer.ErrExternalData) {
		t.Fatalf("escape from Dir: got %v", err)
	}
}

// TestExternalDataClosesFiles: loading a model with external data many
// times must not leak file descriptors (the directory handle included).
func TestExternalDataClosesFiles(t *testing.T) {
	fds := func() int {
		entries, err := os.ReadDir("/proc/self/fd")
		if err != nil {
			t.Skip("no /proc/self/fd on this system")
		}
		return len(entries)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "w.bin"), weightsFile(), 0o644); err != nil {
		t.Fatal(err)
	}
	model := modelWithInit(t, externalTensor("w", []int64{2, 3}, "location", "w.bin", "offset", "8"))
	path := filepath.Join(dir, "model.onnx")
	if err := os.WriteFile(path, model, 0o644); err != nil {
		t.Fatal(err)
	}
	before := fds()
	for i := 0; i < 50; i++ {
		if _, err := importer.Load(path); err != nil {
			t.Fatal(err)
		}
		if _, err := (&importer.Loader{Dir: dir}).LoadBytes(model); err != nil {
			t.Fatal(err)
		}
	}
	if after := fds(); after > before+5 {
		t.Fatalf("open file descriptors grew from %d to %d over 100 loads", before, after)
	}
}

package exporter_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/optnet-go/optnet"
	"github.com/optnet-go/optnet/exporter"
	"github.com/optnet-go/optnet/importer"
	"github.com/optnet-go/optnet/onnxbuild"
	"github.com/optnet-go/optnet/onnxpb"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// sample builds y = relu(x + w) + b with metadata, doc strings, value_info
// and a custom-domain attribute-bearing node kept off the main path.
func sample(t *testing.T) *importer.Model {
	b := onnxbuild.New("sample", map[string]int64{"": 17})
	x := b.Input("x", tensor.Float32, "batch", 4)
	w := b.Initializer("w", tensor.MustFromSlice([]int{4}, make([]float32, 4)))
	bias := b.Initializer("b", tensor.MustFromSlice([]int{4}, []float32{1, 2, 3, 4}))
	s := b.Node("Add", []string{x, w}, []string{"s"})
	r := b.Node("Relu", []string{s}, []string{"r"})
	b.Node("Add", []string{r, bias}, []string{"y"})
	b.Output("y", tensor.Float32, "batch", 4)
	mp := b.Proto()
	mp.DocString = proto.String("a model")
	mp.MetadataProps = []*onnxpb.StringStringEntryProto{{Key: proto.String("author"), Value: proto.String("optnet tests")}}
	mp.Graph.ValueInfo = append(mp.Graph.ValueInfo, onnxbuild.ValueInfo("s", tensor.Float32, "batch", 4))
	mp.Graph.Node[1].DocString = proto.String("the nonlinearity")
	mp.Graph.Node[0].Attribute = append(mp.Graph.Node[0].Attribute, onnxbuild.String("custom_note", "kept"))
	data, err := b.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	m, err := importer.LoadBytes(data)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestUntouchedRoundTripIsEqual(t *testing.T) {
	m := sample(t)
	var buf bytes.Buffer
	if err := exporter.Write(&buf, m, nil); err != nil {
		t.Fatal(err)
	}
	back := &onnxpb.ModelProto{}
	if err := proto.Unmarshal(buf.Bytes(), back); err != nil {
		t.Fatal(err)
	}
	if !proto.Equal(back, m.Proto) {
		t.Fatalf("round trip changed the model:\n%v\nvs\n%v", back, m.Proto)
	}
	// And field by field for the parts users care about.
	if back.GetDocString() != "a model" || back.MetadataProps[0].GetValue() != "optnet tests" ||
		back.Graph.Node[1].GetDocString() != "the nonlinearity" || back.Graph.ValueInfo[0].GetName() != "s" {
		t.Fatal("metadata, doc strings or value_info lost")
	}
	for i, n := range back.Graph.Node {
		if n.GetName() != m.Proto.Graph.Node[i].GetName() || n.GetOpType() != m.Proto.Graph.Node[i].GetOpType() {
			t.Fatalf("node %d renamed or reordered", i)
		}
	}
}

func TestUpdatedInitializersRunTheSame(t *testing.T) {
	m := sample(t)
	newW := tensor.MustFromSlice([]int{4}, []float32{-10, 0.5, 1, 2})
	dir := t.TempDir()
	path := filepath.Join(dir, "trained.onnx")
	if err := exporter.WriteFile(path, m, map[string]*tensor.Tensor{"w": newW}, exporter.Options{}); err != nil {
		t.Fatal(err)
	}
	if m.Graph.Initializers["w"].Len() != 4 || tensor.Data[float32](m.Graph.Initializers["w"])[0] != 0 {
		t.Fatal("the source model was modified")
	}
	x := tensor.MustFromSlice([]int{1, 4}, []float32{1, 1, 1, 1})
	want := []float32{0 + 1, 1.5 + 2, 2 + 3, 3 + 4}
	for _, p := range []string{path} {
		model, err := optnet.Load(p)
		if err != nil {
			t.Fatal(err)
		}
		out, err := model.Run(context.Background(), map[string]*tensor.Tensor{"x": x})
		if err != nil {
			t.Fatal(err)
		}
		for i, v := range tensor.Data[float32](out["y"]) {
			if v != want[i] {
				t.Fatalf("got %v want %v", tensor.Data[float32](out["y"]), want)
			}
		}
	}
	if err := exporter.WriteFile(path, m, map[string]*tensor.Tensor{"nope": newW}, exporter.Options{}); err == nil {
		t.Fatal("unknown initializer accepted")
	}
	if err := exporter.WriteFile(path, m, map[string]*tensor.Tensor{"w": tensor.MustFromSlice([]int{4}, []float64{1, 2, 3, 4})}, exporter.Options{}); err == nil {
		t.Fatal("dtype change accepted")
	}
}

func TestExternalDataRoundTrip(t *testing.T) {
	b := onnxbuild.New("ext", map[string]int64{"": 17})
	x := b.Input("x", tensor.Float32, 512)
	big := make([]float32, 512)
	for i := range big {
		big[i] = float32(i)
	}
	w := b.Initializer("w", tensor.MustFromSlice([]int{512}, big))
	b.Node("Add", []string{x, w}, []string{"y"})
	b.Output("y", tensor.Float32, 512)
	data, _ := b.Bytes()
	m, err := importer.LoadBytes(data)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "m.onnx")
	if err := exporter.WriteFile(path, m, nil, exporter.Options{ExternalData: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path + ".data"); err != nil {
		t.Fatalf("no side file: %v", err)
	}
	m2, err := importer.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if m2.Proto.Graph.Initializer[0].GetDataLocation() != onnxpb.TensorProto_EXTERNAL {
		t.Fatal("initializer not stored externally")
	}
	got := tensor.Data[float32](m2.Graph.Initializers["w"])
	for i := range big {
		if got[i] != big[i] {
			t.Fatalf("element %d: %v", i, got[i])
		}
	}
	// Re-exporting inline brings the data back into the file.
	var buf bytes.Buffer
	if err := exporter.Write(&buf, m2, nil); err != nil {
		t.Fatal(err)
	}
	m3, err := importer.LoadBytes(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if tensor.Data[float32](m3.Graph.Initializers["w"])[511] != 511 {
		t.Fatal("inlined data wrong")
	}
}

func TestCustomDomainDeclaredAndCheckerAccepts(t *testing.T) {
	b := onnxbuild.New("qp", map[string]int64{"": 17})
	q := b.Input("Q", tensor.Float32, 2, 2)
	p := b.Input("p", tensor.Float32, 1, 2)
	b.DomainNode("com.optnet", "QP", []string{q, p}, []string{"z"}, onnxbuild.Float("eps", 1e-12))
	b.Output("z", tensor.Float32, 1, 2)
	data, _ := b.Bytes()
	m, err := importer.LoadBytes(data)
	if err != nil {
		t.Fatal(err)
	}
	mp, err := exporter.Build(m, nil)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, os := range mp.OpsetImport {
		if os.GetDomain() == "com.optnet" && os.GetVersion() == 1 {
			found = true
		}
	}
	if !found {
		t.Fatalf("com.optnet not declared: %v", mp.OpsetImport)
	}
	path := filepath.Join(t.TempDir(), "qp.onnx")
	if err := exporter.WriteFile(path, m, nil, exporter.Options{}); err != nil {
		t.Fatal(err)
	}
	checkWithONNX(t, path)
}

// checkWithONNX runs onnx.checker.check_model(full_check=True) (Debian's
// python3-onnx, installed by .ci/run).
func checkWithONNX(t *testing.T, path string) {
	t.Helper()
	py := "/usr/bin/python3"
	if _, err := os.Stat(py); err != nil {
		t.Fatalf("python3 not found: %v", err)
	}
	cmd := exec.Command(py, "-c", "import onnx,sys; onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True)", path)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("onnx.checker rejected %s: %v\n%s", path, err, out)
	}
}

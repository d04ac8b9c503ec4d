package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/optnet-go/optnet/onnxbuild"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// A model with a com.optnet::QP node runs through optrun: the projection
// of p onto the box [-1, 1]² with Q = I is clip(-p).
func TestRunQPModel(t *testing.T) {
	dir := t.TempDir()
	m := onnxbuild.New("qp", map[string]int64{"": 17, "com.optnet": 1})
	m.Input("p", tensor.Float64, "batch", 2)
	m.Initializer("Q", tensor.MustFromSlice([]int{2, 2}, []float64{1, 0, 0, 1}))
	m.Initializer("G", tensor.MustFromSlice([]int{4, 2}, []float64{1, 0, 0, 1, -1, 0, 0, -1}))
	m.Initializer("h", tensor.MustFromSlice([]int{4}, []float64{1, 1, 1, 1}))
	m.DomainNode("com.optnet", "QP", []string{"Q", "p", "G", "h"}, []string{"z"})
	m.Output("z", tensor.Float64, "batch", 2)
	model := writeFile(t, filepath.Join(dir, "qp.onnx"), modelBytes(t, m))
	p := writeNPY(t, filepath.Join(dir, "p.npy"), tensor.MustFromSlice([]int{2, 2}, []float64{0.5, -3, 2, 0.25}))
	code, out, errs := optrun(t, model, "--input", "p="+p)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	// z = clip(-p, -1, 1) = [-0.5 1 -1 -0.25].
	if got := lineWith(t, out, "output z "); !strings.Contains(got, "float64 (2, 2)") || !strings.HasSuffix(got, "[-0.5 1 -1 -0.25]") {
		t.Fatalf("got %q", got)
	}
	code, out, _ = optrun(t, "info", model)
	if code != 0 || !strings.Contains(out, "com.optnet") {
		t.Fatalf("info: exit %d\n%s", code, out)
	}
}

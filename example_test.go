package optnet_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/optnet-go/optnet"
	"github.com/optnet-go/optnet/onnxbuild"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// writeExampleModel writes a small ONNX model computing
// y = Relu(x + b) to dir/model.onnx; any exported model works the same.
func writeExampleModel(dir string) (string, error) {
	m := onnxbuild.New("example", map[string]int64{"": 17})
	m.Input("x", tensor.Float32, "batch", 3)
	m.Initializer("b", tensor.MustFromSlice([]int{3}, []float32{1, -1, 0.5}))
	m.Node("Add", []string{"x", "b"}, []string{"s"})
	m.Node("Relu", []string{"s"}, []string{"y"})
	m.Output("y", tensor.Float32, "batch", 3)
	data, err := m.Bytes()
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, "model.onnx")
	return path, os.WriteFile(path, data, 0o644)
}

// Load a model file once, then run it (Run is safe for concurrent use).
func Example() {
	dir, err := os.MkdirTemp("", "optnet-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path, err := writeExampleModel(dir)
	if err != nil {
		log.Fatal(err)
	}

	model, err := optnet.Load(path)
	if err != nil {
		log.Fatal(err) // typed errors: errors.Is(err, runtime.ErrUnsupportedOp), ...
	}
	for _, in := range model.Inputs() {
		fmt.Println("input", in.Name, in.DType, in.ShapeString())
	}
	x := tensor.MustFromSlice([]int{2, 3}, []float32{
		1, 2, 3,
		-4, 5, -6,
	})
	out, err := model.Run(context.Background(), map[string]*tensor.Tensor{"x": x})
	if err != nil {
		log.Fatal(err)
	}
	y := out["y"]
	fmt.Println("output y", y.DType(), y.Shape(), tensor.Data[float32](y))
	// Output:
	// input x float32 (batch, 3)
	// output y float32 [2 3] [2 1 3.5 0 4 0]
}

package std

import (
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// Constant: outputs the tensor given by exactly one of its attributes
// (value, or from opset 12 value_float(s), value_int(s), value_string(s);
// sparse_value is densified by the importer).

func init() {
	register(&runtime.Op{Type: "Constant", Since: 1, Inputs: [2]int{0, 0}, Outputs: [2]int{1, 1}, Build: buildConstant})
}

func buildConstant(b *runtime.BuildContext) (runtime.Kernel, error) {
	var vals []*tensor.Tensor
	for _, a := range b.Node.Attrs {
		switch a.Name {
		case "value", "sparse_value":
			if a.Tensor == nil {
				return nil, b.Errorf("attribute %q holds no tensor", a.Name)
			}
			vals = append(vals, a.Tensor)
		case "value_float":
			vals = append(vals, tensor.Scalar(b.Float(a.Name, 0)))
		case "value_floats":
			f := b.Floats(a.Name, nil)
			vals = append(vals, tensor.MustFromSlice([]int{len(f)}, append([]float32(nil), f...)))
		case "value_int":
			vals = append(vals, tensor.Scalar(b.Int(a.Name, 0)))
		case "value_ints":
			v := b.Ints(a.Name, nil)
			vals = append(vals, tensor.MustFromSlice([]int{len(v)}, append([]int64(nil), v...)))
		case "value_string":
			vals = append(vals, tensor.Scalar(b.String(a.Name, "")))
		case "value_strings":
			v := b.Strings(a.Name, nil)
			vals = append(vals, tensor.MustFromSlice([]int{len(v)}, append([]string(nil), v...)))
		}
	}
	if len(vals) != 1 {
		return nil, b.Errorf("Constant needs exactly one value attribute, has %d", len(vals))
	}
	v := vals[0]
	return runtime.KernelFunc(func(*runtime.RunContext, []*tensor.Tensor) ([]*tensor.Tensor, error) {
		return []*tensor.Tensor{v}, nil
	}), b.Err()
}

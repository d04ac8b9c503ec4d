package std

import (
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
	"github.com/optnet-go/optnet/tensorpb"
)

// EyeLike: a 2-D tensor shaped like the input with ones on the diagonal
// shifted by k (positive: above the main diagonal) and zeros elsewhere,
// of the dtype attribute (default: the input's). Opset 9.

func init() {
	register(&runtime.Op{Type: "EyeLike", Since: 9, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1}, Build: buildEyeLike})
}

type eyeLikeKernel struct {
	dtype tensor.DType // Undefined: the input's
	k     int64
}

func buildEyeLike(b *runtime.BuildContext) (runtime.Kernel, error) {
	k := &eyeLikeKernel{k: b.Int("k", 0)}
	if b.HasAttr("dtype") {
		dt, err := tensorpb.DType(int32(b.Int("dtype", 0)))
		if err != nil {
			b.Errorf("EyeLike: %v", err)
		}
		k.dtype = dt
	}
	return k, b.Err()
}

func (k *eyeLikeKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	x := in[0]
	if x.Rank() != 2 {
		return nil, errShape("EyeLike needs a 2-D input, got %v", x.Shape())
	}
	dt := k.dtype
	if dt == tensor.Undefined {
		dt = x.DType()
	}
	if dt == tensor.String {
		return nil, errDType("EyeLike of strings")
	}
	n, m := x.Dim(0), x.Dim(1)
	f := tensor.Make[float64](n, m)
	d := tensor.Data[float64](f)
	for i := 0; i < n; i++ {
		if j := int64(i) + k.k; j >= 0 && j < int64(m) {
			d[i*m+int(j)] = 1
		}
	}
	return out1(tensor.Convert(f, dt))
}

// InferShapes: the input's shape, the chosen dtype.
func (k *eyeLikeKernel) InferShapes(in []runtime.Fact) ([]runtime.Fact, error) {
	out := in[0]
	out.Value = nil
	if k.dtype != tensor.Undefined {
		out.DType = k.dtype
	}
	return []runtime.Fact{out}, nil
}

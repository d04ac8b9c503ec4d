package std

import (
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// Hardmax: 1 where an element is the first maximum along an axis, 0
// elsewhere. Opset 13 works along the single axis `axis` (default -1);
// opsets 1 and 11 coerce the input to 2-D at axis (default 1) and mark the
// first maximum of each row of that view. It has no backward rule (its
// gradient is zero almost everywhere).

func init() {
	register(
		&runtime.Op{Type: "Hardmax", Since: 1, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1}, Build: buildSoftmaxFamily("Hardmax", smHardmax)},
		&runtime.Op{Type: "Hardmax", Since: 13, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1}, Build: buildSoftmaxFamily("Hardmax", smHardmax)},
	)
}

// hardmaxKernel reuses the softmax family's attributes and geometry.
type hardmaxKernel struct{ sm *softmaxKernel }

func (k *hardmaxKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	x := in[0]
	outer, n, inner, err := k.sm.geom(x.Shape())
	if err != nil {
		return nil, err
	}
	w, err := normWiden("Hardmax", x)
	if err != nil {
		return nil, err
	}
	var y *tensor.Tensor
	switch w.DType() {
	case tensor.Float32:
		y = tensor.Make[float32](x.Shape()...)
		hardmax(tensor.Data[float32](y), tensor.Data[float32](w), outer, n, inner)
	case tensor.Float64:
		y = tensor.Make[float64](x.Shape()...)
		hardmax(tensor.Data[float64](y), tensor.Data[float64](w), outer, n, inner)
	}
	return out1(tensor.Convert(y, x.DType()))
}

// InferShapes: same as the input.
func (k *hardmaxKernel) InferShapes(in []runtime.Fact) ([]runtime.Fact, error) {
	return sameAsInput(0)(in)
}

// hardmax writes 1 at the first maximum of every line (dst is zeroed).
// NaNs never win; a line of NaNs marks its first element.
func hardmax[T tensor.Float](dst, src []T, outer, n, inner int) {
	if n == 0 {
		return
	}
	normForLines(outer, n, inner, func(base int) {
		best, bv := base, src[base]
		for i, p := 1, base+inner; i < n; i, p = i+1, p+inner {
			if v := src[p]; v > bv || (bv != bv && v == v) {
				best, bv = p, v
			}
		}
		dst[best] = 1
	})
}

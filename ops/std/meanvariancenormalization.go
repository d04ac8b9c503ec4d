package std

import (
	"math"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// MeanVarianceNormalization: Y = (X − E[X]) / (sqrt(E[(X − E[X])²]) + 1e-9)
// with the expectations taken over `axes` (default [0, 2, 3]: per channel
// of an NCHW tensor). Opset 9 introduced it; opset 13 only added bfloat16.

func init() {
	register(&runtime.Op{Type: "MeanVarianceNormalization", Since: 9, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1}, Build: buildMVN})
}

// mvnEpsilon is the constant the ONNX function definition adds to the
// standard deviation.
const mvnEpsilon = 1e-9

type mvnKernel struct{ axes []int64 }

func buildMVN(b *runtime.BuildContext) (runtime.Kernel, error) {
	if err := normRequired(b, "MeanVarianceNormalization", 1); err != nil {
		return nil, err
	}
	return &mvnKernel{axes: b.Ints("axes", []int64{0, 2, 3})}, b.Err()
}

func (k *mvnKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	x := in[0]
	statShape := append([]int(nil), x.Shape()...)
	seen := make([]bool, x.Rank())
	for _, a := range k.axes {
		ax, err := normAxis(a, x.Rank())
		if err != nil {
			return nil, err
		}
		if seen[ax] {
			return nil, errShape("MeanVarianceNormalization: axis %d repeated", a)
		}
		seen[ax] = true
		statShape[ax] = 1
	}
	w, err := normWiden("MeanVarianceNormalization", x)
	if err != nil {
		return nil, err
	}
	var y *tensor.Tensor
	switch w.DType() {
	case tensor.Float32:
		y = tensor.Make[float32](x.Shape()...)
		err = mvn(tensor.Data[float32](y), tensor.Data[float32](w), x.Shape(), statShape)
	case tensor.Float64:
		y = tensor.Make[float64](x.Shape()...)
		err = mvn(tensor.Data[float64](y), tensor.Data[float64](w), x.Shape(), statShape)
	}
	if err != nil {
		return nil, err
	}
	return out1(tensor.Convert(y, x.DType()))
}

// mvn normalises x over the dims where statShape is 1 (and x's is not).
func mvn[T tensor.Float](y, x []T, shape, statShape []int) error {
	ns := tensor.NumElements(statShape)
	if ns == 0 || len(x) == 0 {
		return nil
	}
	cnt := float64(len(x) / ns)
	b, err := tensor.NewBroadcaster(shape, statShape)
	if err != nil {
		return err
	}
	rl, step := b.RowLen(), b.Steps()[0]
	mean := make([]float64, ns)
	b.ForRows(0, b.Rows(), func(o int, in []int) {
		for i, v := range x[o : o+rl] {
			mean[in[0]+i*step] += float64(v)
		}
	})
	for i := range mean {
		mean[i] /= cnt
	}
	sd := make([]float64, ns)
	b.ForRows(0, b.Rows(), func(o int, in []int) {
		for i, v := range x[o : o+rl] {
			d := float64(v) - mean[in[0]+i*step]
			sd[in[0]+i*step] += d * d
		}
	})
	for i := range sd {
		sd[i] = 1 / (math.Sqrt(sd[i]/cnt) + mvnEpsilon)
	}
	b.ForRows(0, b.Rows(), func(o int, in []int) {
		dst := y[o : o+rl]
		for i, v := range x[o : o+rl] {
			p := in[0] + i*step
			dst[i] = T((float64(v) - mean[p]) * sd[p])
		}
	})
	return nil
}

// InferShapes: same as the input.
func (k *mvnKernel) InferShapes(in []runtime.Fact) ([]runtime.Fact, error) {
	return sameAsInput(0)(in)
}

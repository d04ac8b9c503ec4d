package std

import (
	"testing"

	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestShapeStartEnd(t *testing.T) {
	x := tensor.Make[float32](2, 3, 4, 5)
	cases := []struct {
		attrs []int64 // start, end; nil: none
		want  []int64
	}{
		{nil, []int64{2, 3, 4, 5}},
		{[]int64{1}, []int64{3, 4, 5}},
		{[]int64{-1}, []int64{5}},
		{[]int64{1, -1}, []int64{3, 4}},
		{[]int64{-10, 10}, []int64{2, 3, 4, 5}},
		{[]int64{3, 1}, []int64{}},
	}
	for _, c := range cases {
		var attrs = attrsOf()
		if len(c.attrs) > 0 {
			attrs = append(attrs, attrInt("start", c.attrs[0]))
		}
		if len(c.attrs) > 1 {
			attrs = append(attrs, attrInt("end", c.attrs[1]))
		}
		shpWantI64(t, runOp(t, "Shape", 15, attrs, 1, x)[0], []int{len(c.want)}, c.want)
	}
	// Before opset 15 the attributes do not exist.
	shpWantI64(t, runOp(t, "Shape", 13, attrsOf(attrInt("start", 1)), 1, x)[0], []int{4}, []int64{2, 3, 4, 5})
	shpWantI64(t, runOp(t, "Shape", 15, nil, 1, tensor.Scalar(1.0))[0], []int{0}, nil)
}

func TestShapeInferShapes(t *testing.T) {
	k := &shapeKernel{start: 1}
	shpWantShape(t, shpInfer(t, k, shpFact(tensor.Float32, 2, -1, 3))[0], 2)
}

func TestSize(t *testing.T) {
	got := runOp(t, "Size", 13, nil, 1, tensor.Make[bool](2, 3, 4))[0]
	shpWantI64(t, got, []int{}, []int64{24})
	got = runOp(t, "Size", 13, nil, 1, tensor.Make[float32](2, 0))[0]
	shpWantI64(t, got, []int{}, []int64{0})
}

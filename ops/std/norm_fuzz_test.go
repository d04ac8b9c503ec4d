package std

import (
	"errors"
	"math/rand"
	"testing"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// TestNormFamilyRandomInputs feeds the family's ops random small inputs
// (shapes with zero dims, wrong dtypes, omitted inputs) and attributes:
// each run must succeed or return an error, never panic.
func TestNormFamilyRandomInputs(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	rshape := func() []int {
		s := make([]int, rng.Intn(5))
		for i := range s {
			s[i] = rng.Intn(4)
		}
		return s
	}
	rt := func() *tensor.Tensor {
		if rng.Intn(8) == 0 {
			return nil
		}
		s := rshape()
		switch rng.Intn(5) {
		case 0:
			t := tensor.Make[int64](s...)
			for i := range tensor.Data[int64](t) {
				tensor.Data[int64](t)[i] = int64(rng.Intn(5) - 1)
			}
			return t
		case 1:
			t := tensor.Make[int32](s...)
			return t
		case 2:
			return tensor.Make[bool](s...)
		}
		t := tensor.Make[float32](s...)
		for i := range tensor.Data[float32](t) {
			tensor.Data[float32](t)[i] = rng.Float32()
		}
		return t
	}
	ops := []struct {
		op     string
		v, nin int
		nout   int
	}{
		{"Softmax", 13, 1, 1}, {"Softmax", 1, 1, 1}, {"Hardmax", 11, 1, 1}, {"LayerNormalization", 17, 3, 3},
		{"BatchNormalization", 15, 5, 3}, {"BatchNormalization", 7, 5, 5}, {"InstanceNormalization", 6, 3, 1},
		{"GroupNormalization", 21, 3, 1}, {"MeanVarianceNormalization", 13, 1, 1}, {"Dropout", 13, 3, 2}, {"Dropout", 7, 1, 2},
		{"NegativeLogLikelihoodLoss", 13, 3, 1}, {"SoftmaxCrossEntropyLoss", 13, 3, 2},
		{"RNN", 14, 6, 2}, {"GRU", 14, 6, 2}, {"LSTM", 14, 8, 3}, {"Bernoulli", 15, 1, 1}, {"Multinomial", 7, 1, 1},
		{"RandomNormalLike", 1, 1, 1},
	}
	for iter := 0; iter < 20000; iter++ {
		o := ops[rng.Intn(len(ops))]
		in := make([]*tensor.Tensor, 1+rng.Intn(o.nin))
		for i := range in {
			in[i] = rt()
		}
		if in[0] == nil && rng.Intn(10) > 0 {
			in[0] = tensor.Make[float32](rshape()...)
		}
		var attrs []runtime.Attribute
		if rng.Intn(2) == 0 {
			attrs = append(attrs, attrInt("axis", int64(rng.Intn(9)-4)))
		}
		if rng.Intn(3) == 0 {
			attrs = append(attrs, attrInt("num_groups", int64(rng.Intn(4))))
		}
		if rng.Intn(3) == 0 {
			attrs = append(attrs, attrInt("ignore_index", int64(rng.Intn(3)-1)))
		}
		if rng.Intn(3) == 0 {
			attrs = append(attrs, attrInt("layout", int64(rng.Intn(2))))
		}
		if rng.Intn(3) == 0 {
			attrs = append(attrs, attrString("direction", []string{"forward", "reverse", "bidirectional"}[rng.Intn(3)]))
		}
		if rng.Intn(3) == 0 {
			attrs = append(attrs, attrInt("training_mode", int64(rng.Intn(2))))
		}
		if rng.Intn(4) == 0 {
			attrs = append(attrs, attrFloat("clip", rng.Float32()))
		}
		if rng.Intn(4) == 0 {
			attrs = append(attrs, attrString("reduction", []string{"none", "sum", "mean"}[rng.Intn(3)]))
		}
		if rng.Intn(3) == 0 {
			attrs = append(attrs, attrInts("axes", int64(rng.Intn(5)-2)))
		}
		err := runOpErr(o.op, o.v, attrs, o.nout, in...)
		if errors.Is(err, runtime.ErrInternal) {
			t.Fatalf("%s@%d %v %v: %v", o.op, o.v, in, attrs, err)
		}
	}
}

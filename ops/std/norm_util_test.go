package std

import (
	"errors"
	"math"
	"testing"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// Reference helpers of the normalisation family's tests: slow, obviously
// correct loops to compare the kernels with.

// refLines applies fn to every line of x along the middle axis of an
// outer × n × inner split of shape and returns the result (same layout).
// The line is gathered into a fresh slice, so fn may work in place.
func refLines(x []float64, outer, n, inner int, fn func(line []float64) []float64) []float64 {
	out := make([]float64, len(x))
	for o := 0; o < outer; o++ {
		for j := 0; j < inner; j++ {
			line := make([]float64, n)
			for i := 0; i < n; i++ {
				line[i] = x[(o*n+i)*inner+j]
			}
			r := fn(line)
			for i := 0; i < n; i++ {
				out[(o*n+i)*inner+j] = r[i]
			}
		}
	}
	return out
}

// refSplit returns outer, n, inner for normalising along axis a, or along
// the flattened tail from a when flat.
func refSplit(shape []int, a int, flat bool) (outer, n, inner int) {
	outer, n, inner = 1, 1, 1
	for i, d := range shape {
		switch {
		case i < a:
			outer *= d
		case i == a || flat:
			n *= d
		default:
			inner *= d
		}
	}
	return
}

func refSoftmax(line []float64) []float64 {
	m := math.Inf(-1)
	for _, v := range line {
		m = math.Max(m, v)
	}
	s := 0.0
	for _, v := range line {
		s += math.Exp(v - m)
	}
	out := make([]float64, len(line))
	for i, v := range line {
		out[i] = math.Exp(v-m) / s
	}
	return out
}

func refLogSoftmax(line []float64) []float64 {
	p := refSoftmax(line)
	for i := range p {
		p[i] = math.Log(p[i])
	}
	return p
}

// normF64 wraps values as a float64 tensor.
func normF64(shape []int, v []float64) *tensor.Tensor { return tensor.MustFromSlice(shape, v) }

func TestNormExp32(t *testing.T) {
	worst := 0.0
	for x := -87.3; x < 88.7; x += 0.00037 {
		f := float32(x)
		want := math.Exp(float64(f))
		got := float64(normExp32(f))
		if e := math.Abs(got-want) / want; e > worst {
			worst = e
		}
	}
	if worst > 3e-7 {
		t.Fatalf("worst relative error %v", worst)
	}
	for _, c := range []struct{ x, want float32 }{
		{0, 1}, {-200, 0}, {200, float32(math.Inf(1))}, {float32(math.Inf(-1)), 0}, {float32(math.Inf(1)), float32(math.Inf(1))},
	} {
		if got := normExp32(c.x); got != c.want {
			t.Errorf("exp(%v) = %v, want %v", c.x, got, c.want)
		}
	}
	if v := normExp32(float32(math.NaN())); v == v {
		t.Errorf("exp(NaN) = %v", v)
	}
	if v := normExp32(88.7); math.IsInf(float64(v), 0) || math.Abs(float64(v)-math.Exp(float64(float32(88.7))))/float64(v) > 3e-7 {
		t.Errorf("exp(88.7) = %v", v)
	}
}

// TestNormFamilyEmptyInputs runs the family's ops on tensors with zero-size
// dims: each must succeed or return an error, never panic.
func TestNormFamilyEmptyInputs(t *testing.T) {
	z := func(shape ...int) *tensor.Tensor { return tensor.Make[float32](shape...) }
	i64 := func(shape ...int) *tensor.Tensor { return tensor.Make[int64](shape...) }
	cases := []struct {
		op    string
		v     int
		attrs []runtime.Attribute
		nout  int
		in    []*tensor.Tensor
	}{
		{"Softmax", 13, nil, 1, []*tensor.Tensor{z(0, 3)}},
		{"LogSoftmax", 1, attrsOf(attrInt("axis", 0)), 1, []*tensor.Tensor{z(3, 0)}},
		{"Hardmax", 13, attrsOf(attrInt("axis", 0)), 1, []*tensor.Tensor{z(0, 3)}},
		{"LayerNormalization", 17, nil, 3, []*tensor.Tensor{z(0, 4), z(4), z(4)}},
		{"LayerNormalization", 17, attrsOf(attrInt("axis", 0)), 3, []*tensor.Tensor{z(2, 0), z(2, 0)}},
		{"BatchNormalization", 15, attrsOf(attrInt("training_mode", 1)), 3, []*tensor.Tensor{z(2, 3, 0), z(3), z(3), z(3), z(3)}},
		{"BatchNormalization", 9, nil, 1, []*tensor.Tensor{z(2, 0, 4), z(0), z(0), z(0), z(0)}},
		{"InstanceNormalization", 6, nil, 1, []*tensor.Tensor{z(2, 3, 0), z(3), z(3)}},
		{"GroupNormalization", 18, attrsOf(attrInt("num_groups", 1)), 1, []*tensor.Tensor{z(0, 2, 3), z(1), z(1)}},
		{"MeanVarianceNormalization", 13, nil, 1, []*tensor.Tensor{z(0, 2, 3, 3)}},
		{"Dropout", 13, nil, 2, []*tensor.Tensor{z(0, 3), tensor.Scalar(float32(0.5)), tensor.Scalar(true)}},
		{"NegativeLogLikelihoodLoss", 13, nil, 1, []*tensor.Tensor{z(0, 3), i64(0)}},
		{"SoftmaxCrossEntropyLoss", 13, attrsOf(attrString("reduction", "none")), 2, []*tensor.Tensor{z(2, 3, 0), i64(2, 0)}},
		{"SoftmaxCrossEntropyLoss", 13, nil, 2, []*tensor.Tensor{z(2, 0), i64(2)}},
		{"RNN", 14, nil, 2, []*tensor.Tensor{z(0, 2, 3), z(1, 4, 3), z(1, 4, 4)}},
		{"GRU", 14, nil, 2, []*tensor.Tensor{z(3, 2, 3), z(1, 0, 3), z(1, 0, 0)}},
		{"LSTM", 14, attrsOf(attrString("direction", "bidirectional")), 3, []*tensor.Tensor{z(2, 0, 3), z(2, 8, 3), z(2, 8, 2)}},
		{"Multinomial", 7, nil, 1, []*tensor.Tensor{z(0, 3)}},
		{"Bernoulli", 15, nil, 1, []*tensor.Tensor{z(0)}},
		{"RandomNormal", 1, attrsOf(attrInts("shape", 0, 5)), 1, nil},
	}
	for _, c := range cases {
		if err := runOpErr(c.op, c.v, c.attrs, c.nout, c.in...); errors.Is(err, runtime.ErrInternal) {
			t.Errorf("%s %v: %v", c.op, c.in, err)
		}
	}
}

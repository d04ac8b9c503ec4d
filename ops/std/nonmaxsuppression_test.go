package std

import (
	"errors"
	"testing"

	"github.com/optnet-go/optnet/runtime/tensor"
)

func nmsRun(t *testing.T, center int64, boxes []float32, nb int, scores []float32, nc int, rest ...*tensor.Tensor) []int64 {
	t.Helper()
	n := len(boxes) / 4 / nb
	in := []*tensor.Tensor{tensor.MustFromSlice([]int{nb, n, 4}, boxes), tensor.MustFromSlice([]int{nb, nc, n}, scores)}
	in = append(in, rest...)
	out := runOp(t, "NonMaxSuppression", 11, attrsOf(attrInt("center_point_box", center)), 1, in...)[0]
	if out.DType() != tensor.Int64 || out.Rank() != 2 || out.Dim(1) != 3 {
		t.Fatalf("output %v", out)
	}
	return tensor.Data[int64](out)
}

func nmsEqInts(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestNonMaxSuppression(t *testing.T) {
	// A = [0,0]-[1,1]; B overlaps A with IoU 0.9/1.1 = 0.818; C is apart.
	// Corners are given in mixed diagonal order.
	boxes := []float32{0, 0, 1, 1, 1, 1.1, 0, 0.1, 0, 2, 1, 3}
	center := []float32{0.5, 0.5, 1, 1, 0.6, 0.5, 1, 1, 2.5, 0.5, 1, 1}
	scores := []float32{0.7, 0.9, 0.8} // B first, then C, then A
	max5 := tensor.Scalar(int64(5))
	for _, c := range []struct {
		nmsIoU, score float32
		max           *tensor.Tensor
		want          []int64
	}{
		{0.5, -1, max5, []int64{0, 0, 1, 0, 0, 2}},                    // A suppressed by B
		{0.9, -1, max5, []int64{0, 0, 1, 0, 0, 2, 0, 0, 0}},           // nothing suppressed
		{0.5, 0.75, max5, []int64{0, 0, 1, 0, 0, 2}},                  // A also below threshold
		{0.9, 0.85, max5, []int64{0, 0, 1}},                           // only B above threshold
		{0.9, -1, tensor.Scalar(int64(2)), []int64{0, 0, 1, 0, 0, 2}}, // at most 2
		{0.9, -1, tensor.Scalar(int64(0)), []int64{}},                 // 0: none
	} {
		rest := []*tensor.Tensor{c.max, tensor.Scalar(c.nmsIoU)}
		if c.score >= 0 {
			rest = append(rest, tensor.Scalar(c.score))
		}
		if got := nmsRun(t, 0, boxes, 1, scores, 1, rest...); !nmsEqInts(got, c.want) {
			t.Errorf("corners nmsIoU %v score %v: %v, want %v", c.nmsIoU, c.score, got, c.want)
		}
		if got := nmsRun(t, 1, center, 1, scores, 1, rest...); !nmsEqInts(got, c.want) {
			t.Errorf("centers nmsIoU %v score %v: %v, want %v", c.nmsIoU, c.score, got, c.want)
		}
	}
	// Omitted max_output_boxes_per_class selects nothing.
	if got := nmsRun(t, 0, boxes, 1, scores, 1); len(got) != 0 {
		t.Errorf("no max: %v", got)
	}
	// Two batches, two classes; equal scores keep the lower index first.
	b2 := append(append([]float32{}, boxes...), boxes...)
	s2 := []float32{0.5, 0.5, 0.1, 0.1, 0.2, 0.3, 0.9, 0.8, 0.7, 0.3, 0.2, 0.1}
	got := nmsRun(t, 0, b2, 2, s2, 2, max5, tensor.Scalar(float32(0.5)))
	want := []int64{0, 0, 0, 0, 0, 2, 0, 1, 2, 0, 1, 1, 1, 0, 0, 1, 0, 2, 1, 1, 0, 1, 1, 2}
	if !nmsEqInts(got, want) {
		t.Errorf("batches/classes: %v, want %v", got, want)
	}
}

func TestNonMaxSuppressionErrors(t *testing.T) {
	b := tensor.Make[float32](1, 3, 4)
	s := tensor.Make[float32](1, 1, 3)
	cases := []struct {
		in   []*tensor.Tensor
		want error
	}{
		{[]*tensor.Tensor{tensor.Make[float32](1, 3, 3), s}, tensor.ErrShape},
		{[]*tensor.Tensor{b, tensor.Make[float32](1, 1, 4)}, tensor.ErrShape},
		{[]*tensor.Tensor{b, tensor.Make[float32](2, 1, 3)}, tensor.ErrShape},
		{[]*tensor.Tensor{b, s, tensor.Scalar(float32(3))}, tensor.ErrDType},
		{[]*tensor.Tensor{b, s, tensor.Scalar(int64(3)), tensor.Make[float32](2)}, tensor.ErrDType},
		{[]*tensor.Tensor{tensor.Make[int32](1, 3, 4), s}, tensor.ErrDType},
	}
	for i, c := range cases {
		if err := runOpErr("NonMaxSuppression", 11, nil, 1, c.in...); !errors.Is(err, c.want) {
			t.Errorf("case %d: %v, want %v", i, err, c.want)
		}
	}
	if err := runOpErr("NonMaxSuppression", 11, attrsOf(attrInt("center_point_box", 2)), 1, b, s); err == nil {
		t.Error("bad center_point_box accepted")
	}
}

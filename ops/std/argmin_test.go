package std

import (
	"testing"

	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestArgMinFirstAndLastTie(t *testing.T) {
	x := tensor.MustFromSlice([]int{2, 3}, []float32{2, 1, 1, 0, 5, 0})
	for _, c := range []struct {
		last int64
		want []int64
	}{{0, []int64{1, 0}}, {1, []int64{2, 2}}} {
		got := runOp(t, "ArgMin", 12, attrsOf(attrInt("axis", -1), attrInt("select_last_index", c.last)), 1, x)[0]
		g := tensor.Data[int64](got)
		if !tensor.SameShape(got.Shape(), []int{2, 1}) || g[0] != c.want[0] || g[1] != c.want[1] {
			t.Fatalf("last=%d: %v %v, want %v", c.last, got.Shape(), g, c.want)
		}
	}
}

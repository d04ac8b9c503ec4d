package std

import (
	"errors"
	"testing"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestStringNormalizer(t *testing.T) {
	x := tensor.MustFromSlice([]int{5}, []string{"Ünïcode", "STOP", "stop", "Keep", "ärger"})
	for _, c := range []struct {
		attrs []runtime.Attribute
		want  []string
	}{
		{attrsOf(attrString("case_change_action", "LOWER"), runtime.Attribute{Name: "stopwords", Kind: runtime.AttrStrings, Strings: []string{"stop"}}),
			[]string{"ünïcode", "keep", "ärger"}},
		{attrsOf(attrString("case_change_action", "UPPER"), attrInt("is_case_sensitive", 1), runtime.Attribute{Name: "stopwords", Kind: runtime.AttrStrings, Strings: []string{"stop"}}),
			[]string{"ÜNÏCODE", "STOP", "KEEP", "ÄRGER"}},
		{nil, []string{"Ünïcode", "STOP", "stop", "Keep", "ärger"}},
	} {
		got := runOp(t, "StringNormalizer", 10, c.attrs, 1, x)[0]
		g := tensor.Data[string](got)
		if !tensor.SameShape(got.Shape(), []int{len(c.want)}) {
			t.Fatalf("shape %v, want %v", got.Shape(), c.want)
		}
		for i := range g {
			if g[i] != c.want[i] {
				t.Fatalf("got %q, want %q", g, c.want)
			}
		}
	}
	// Everything removed from a [1, C] input: one empty string, [1, 1].
	x2 := tensor.MustFromSlice([]int{1, 2}, []string{"a", "A"})
	got := runOp(t, "StringNormalizer", 10, attrsOf(runtime.Attribute{Name: "stopwords", Kind: runtime.AttrStrings, Strings: []string{"a"}}), 1, x2)[0]
	if !tensor.SameShape(got.Shape(), []int{1, 1}) || tensor.Data[string](got)[0] != "" {
		t.Fatalf("all removed: %v %q", got.Shape(), tensor.Data[string](got))
	}
}

func TestStringNormalizerErrors(t *testing.T) {
	if err := runOpErr("StringNormalizer", 10, nil, 1, tensor.MustFromSlice([]int{2, 1}, []string{"a", "b"})); !errors.Is(err, tensor.ErrShape) {
		t.Errorf("[2, 1] input: %v", err)
	}
	if err := runOpErr("StringNormalizer", 10, nil, 1, tensor.Make[int64](2)); !errors.Is(err, tensor.ErrDType) {
		t.Errorf("int input: %v", err)
	}
	if err := runOpErr("StringNormalizer", 10, attrsOf(attrString("case_change_action", "TITLE")), 1, tensor.MustFromSlice([]int{1}, []string{"a"})); !errors.Is(err, runtime.ErrInvalidGraph) {
		t.Errorf("bad action: %v", err)
	}
}

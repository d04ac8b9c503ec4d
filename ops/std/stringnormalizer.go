package std

import (
	"strings"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// StringNormalizer: removes the stopwords from a [C] or [1, C] string
// tensor (compared case-sensitively or not, by is_case_sensitive) and then
// lower- or upper-cases what remains (case_change_action LOWER, UPPER or
// NONE). When every element is removed the output is one empty string, of
// shape [1] or [1, 1]. Introduced in opset 10. Case mapping is Unicode's,
// independent of the locale attribute.

func init() {
	register(&runtime.Op{Type: "StringNormalizer", Since: 10, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1}, Build: buildStringNormalizer})
}

type stringNormalizerKernel struct {
	action        string
	caseSensitive bool
	stop          map[string]bool
}

func buildStringNormalizer(b *runtime.BuildContext) (runtime.Kernel, error) {
	k := &stringNormalizerKernel{
		action:        b.String("case_change_action", "NONE"),
		caseSensitive: b.Int("is_case_sensitive", 0) != 0,
		stop:          map[string]bool{},
	}
	switch k.action {
	case "NONE", "LOWER", "UPPER":
	default:
		return nil, b.Errorf("StringNormalizer case_change_action %q, want LOWER, UPPER or NONE", k.action)
	}
	for _, w := range b.Strings("stopwords", nil) {
		if !k.caseSensitive {
			w = strings.ToLower(w)
		}
		k.stop[w] = true
	}
	return k, b.Err()
}

func (k *stringNormalizerKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	x := in[0]
	if x.DType() != tensor.String {
		return nil, errDType("StringNormalizer needs strings, got %v", x.DType())
	}
	twoDim := x.Rank() == 2
	if !(x.Rank() == 1 || (twoDim && x.Dim(0) == 1)) {
		return nil, errShape("StringNormalizer takes [C] or [1, C], got %v", x.Shape())
	}
	var out []string
	for _, s := range tensor.Data[string](x) {
		key := s
		if !k.caseSensitive {
			key = strings.ToLower(s)
		}
		if k.stop[key] {
			continue
		}
		switch k.action {
		case "LOWER":
			s = strings.ToLower(s)
		case "UPPER":
			s = strings.ToUpper(s)
		}
		out = append(out, s)
	}
	if len(out) == 0 {
		out = []string{""}
	}
	shape := []int{len(out)}
	if twoDim {
		shape = []int{1, len(out)}
	}
	return out1(tensor.FromSlice(shape, out))
}

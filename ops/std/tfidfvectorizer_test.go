package std

import (
	"errors"
	"testing"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

func tfidfAttrs(minN, maxN, skip int64, mode string, counts, idx []int64, extra ...runtime.Attribute) []runtime.Attribute {
	return append(attrsOf(attrInt("min_gram_length", minN), attrInt("max_gram_length", maxN), attrInt("max_skip_count", skip),
		attrString("mode", mode), attrInts("ngram_counts", counts...), attrInts("ngram_indexes", idx...)), extra...)
}

func TestTfIdfVectorizer(t *testing.T) {
	// The operator description's example: [94, 17, 36, 12, 28]; with skip 2
	// the 2-grams are (94, 12) and (17, 28).
	x := tensor.MustFromSlice([]int{5}, []int64{94, 17, 36, 12, 28})
	pool := attrInts("pool_int64s", 94, 12, 17, 28, 17, 36)
	for _, c := range []struct {
		skip int64
		want []float32
	}{
		{0, []float32{0, 0, 1}}, // only (17, 36) is consecutive
		{2, []float32{1, 1, 1}}, // (94, 12), (17, 28) at gap 2, (17, 36) at gap 0
		{1, []float32{0, 0, 1}},
	} {
		got := runOp(t, "TfIdfVectorizer", 9, tfidfAttrs(2, 2, c.skip, "TF", []int64{0, 0}, []int64{0, 1, 2}, pool), 1, x)[0]
		assertClose(t, got, tensor.MustFromSlice([]int{3}, c.want), 0, 0)
	}
	// Unigrams and bigrams of strings in two rows, with weights and modes.
	s := tensor.MustFromSlice([]int{2, 4}, []string{"a", "b", "a", "b", "b", "b", "c", "a"})
	spool := runtime.Attribute{Name: "pool_strings", Kind: runtime.AttrStrings, Strings: []string{"a", "b", "a", "b", "b", "b"}}
	w := attrFloats("weights", 2, 3, 5, 7)
	// Row 0: a×2, b×2, (a,b)×2, (b,b)×0; row 1: a×1, b×2, (a,b)×0, (b,b)×1.
	for _, c := range []struct {
		mode string
		want []float32
	}{
		{"TF", []float32{2, 2, 2, 0, 1, 2, 0, 1}},
		{"IDF", []float32{2, 3, 5, 0, 2, 3, 0, 7}},
		{"TFIDF", []float32{4, 6, 10, 0, 2, 6, 0, 7}},
	} {
		got := runOp(t, "TfIdfVectorizer", 9, tfidfAttrs(1, 2, 0, c.mode, []int64{0, 2}, []int64{0, 1, 2, 3}, spool, w), 1, s)[0]
		assertClose(t, got, tensor.MustFromSlice([]int{2, 4}, c.want), 0, 0)
	}
	// Output coordinates follow ngram_indexes; int32 input.
	got := runOp(t, "TfIdfVectorizer", 9, tfidfAttrs(1, 1, 0, "TF", []int64{0}, []int64{4, 0}, attrInts("pool_int64s", 7, 9)), 1,
		tensor.MustFromSlice([]int{3}, []int32{9, 7, 7}))[0]
	assertClose(t, got, tensor.MustFromSlice([]int{5}, []float32{1, 0, 0, 0, 2}), 0, 0)
}

func TestTfIdfVectorizerErrors(t *testing.T) {
	pool := attrInts("pool_int64s", 1, 2, 3)
	x := tensor.MustFromSlice([]int{3}, []int64{1, 2, 3})
	bad := [][]runtime.Attribute{
		tfidfAttrs(1, 1, 0, "TF", []int64{0}, []int64{0, 1}, pool),                                     // wrong index count
		tfidfAttrs(1, 2, 0, "TF", []int64{0, 2}, []int64{0, 1, 2}, pool),                               // bigram section of odd length
		tfidfAttrs(1, 1, 0, "BM25", []int64{0}, []int64{0, 1, 2}, pool),                                // mode
		tfidfAttrs(2, 1, 0, "TF", []int64{0}, []int64{0, 1, 2}, pool),                                  // lengths
		tfidfAttrs(1, 1, 0, "TF", []int64{0}, []int64{0, 1, 2}),                                        // no pool
		tfidfAttrs(1, 1, 0, "TF", []int64{0}, []int64{0, 1, -2}, pool),                                 // negative index
		tfidfAttrs(1, 1, 0, "TF", []int64{0}, []int64{0, 1, 2}, pool, attrFloats("weights", 1)),        // weights
		append(tfidfAttrs(1, 1, 0, "TF", []int64{0}, []int64{0, 1, 2}), attrInts("pool_int64s", 1, 2)), // (index count)
	}
	for i, a := range bad {
		if err := runOpErr("TfIdfVectorizer", 9, a, 1, x); !errors.Is(err, runtime.ErrInvalidGraph) {
			t.Errorf("case %d: %v", i, err)
		}
	}
	ok := tfidfAttrs(1, 1, 0, "TF", []int64{0}, []int64{0, 1, 2}, pool)
	if err := runOpErr("TfIdfVectorizer", 9, ok, 1, tensor.MustFromSlice([]int{1}, []string{"a"})); !errors.Is(err, tensor.ErrDType) {
		t.Errorf("string input, int pool: %v", err)
	}
	if err := runOpErr("TfIdfVectorizer", 9, ok, 1, tensor.Make[int64](1, 1, 3)); !errors.Is(err, tensor.ErrShape) {
		t.Errorf("3-D input: %v", err)
	}
}

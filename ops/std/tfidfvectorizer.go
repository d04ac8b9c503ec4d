package std

import (
	"encoding/binary"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// TfIdfVectorizer: counts the n-grams of each row of a [C] or [N, C]
// integer or string tensor that appear in a pool, giving float
// [max(ngram_indexes)+1] (or [N, ...]) vectors. n-grams have lengths
// min_gram_length..max_gram_length; for n ≥ 2 their items may be up to
// max_skip_count apart (every gap 0..max_skip_count is counted; 1-grams
// are counted once). The pool (pool_int64s or pool_strings) lists the
// 1-grams, then the 2-grams, ..., starting at the offsets ngram_counts;
// pool n-gram i counts into output ngram_indexes[i]. mode TF gives counts,
// IDF min(count, 1)·weights[i], TFIDF count·weights[i] (weights default
// to 1). Introduced in opset 9.

func init() {
	register(&runtime.Op{Type: "TfIdfVectorizer", Since: 9, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1}, Build: buildTfIdf})
}

type tfidfKernel struct {
	minN, maxN, maxSkip int
	mode                string
	strings             bool
	pool                map[string]int // encoded n-gram -> pool item
	index               []int          // pool item -> output coordinate
	weight              []float32      // pool item -> weight
	width               int            // output vector length
}

func buildTfIdf(b *runtime.BuildContext) (runtime.Kernel, error) {
	k := &tfidfKernel{
		minN:    int(b.RequireInt("min_gram_length")),
		maxN:    int(b.RequireInt("max_gram_length")),
		maxSkip: int(b.RequireInt("max_skip_count")),
		mode:    b.String("mode", ""),
		pool:    map[string]int{},
	}
	counts := b.Ints("ngram_counts", nil)
	idx := b.Ints("ngram_indexes", nil)
	ints, strs := b.Ints("pool_int64s", nil), b.Strings("pool_strings", nil)
	weights := b.Floats("weights", nil)
	if err := b.Err(); err != nil {
		return nil, err
	}
	switch k.mode {
	case "TF", "IDF", "TFIDF":
	default:
		return nil, b.Errorf("TfIdfVectorizer mode %q, want TF, IDF or TFIDF", k.mode)
	}
	if k.minN < 1 || k.maxN < k.minN || k.maxSkip < 0 {
		return nil, b.Errorf("TfIdfVectorizer gram lengths %d..%d, max_skip_count %d", k.minN, k.maxN, k.maxSkip)
	}
	if (ints == nil) == (strs == nil) {
		return nil, b.Errorf("TfIdfVectorizer needs exactly one of pool_int64s and pool_strings")
	}
	k.strings = strs != nil
	poolLen := len(ints)
	if k.strings {
		poolLen = len(strs)
	}
	// Walk the pool sections: section s holds (s+1)-grams.
	var key []byte
	item := 0
	for s, start := range counts {
		end := int64(poolLen)
		if s+1 < len(counts) {
			end = counts[s+1]
		}
		n := int64(s + 1)
		if start < 0 || end < start || end > int64(poolLen) || (end-start)%n != 0 {
			return nil, b.Errorf("TfIdfVectorizer ngram_counts %v do not fit a pool of %d", counts, poolLen)
		}
		for p := start; p < end; p += n {
			key = key[:0]
			for j := p; j < p+n; j++ {
				if k.strings {
					key = appendStrKey(key, strs[j])
				} else {
					key = binary.LittleEndian.AppendUint64(key, uint64(ints[j]))
				}
			}
			if _, dup := k.pool[string(key)]; !dup {
				k.pool[string(key)] = item
			}
			item++
		}
	}
	if len(idx) != item {
		return nil, b.Errorf("TfIdfVectorizer has %d ngram_indexes for %d pool n-grams", len(idx), item)
	}
	if weights != nil && len(weights) != item {
		return nil, b.Errorf("TfIdfVectorizer has %d weights for %d pool n-grams", len(weights), item)
	}
	k.index = make([]int, item)
	k.weight = make([]float32, item)
	for i, v := range idx {
		if v < 0 || v >= 1<<31 {
			return nil, b.Errorf("TfIdfVectorizer ngram_indexes[%d] = %d", i, v)
		}
		k.index[i] = int(v)
		k.width = max(k.width, int(v)+1)
		k.weight[i] = 1
		if weights != nil {
			k.weight[i] = weights[i]
		}
	}
	return k, nil
}

// appendStrKey appends a length-prefixed string, so joined keys are
// unambiguous.
func appendStrKey(key []byte, s string) []byte {
	key = binary.AppendUvarint(key, uint64(len(s)))
	return append(key, s...)
}

func (k *tfidfKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	x := in[0]
	if x.Rank() != 1 && x.Rank() != 2 {
		return nil, errShape("TfIdfVectorizer takes [C] or [N, C], got %v", x.Shape())
	}
	var ints []int64
	var strs []string
	switch {
	case k.strings && x.DType() == tensor.String:
		strs = tensor.Data[string](x)
	case !k.strings && (x.DType() == tensor.Int32 || x.DType() == tensor.Int64):
		ints, _ = tensor.Int64s(x)
	default:
		return nil, errDType("TfIdfVectorizer with a %s pool got %v input", map[bool]string{true: "string", false: "int64"}[k.strings], x.DType())
	}
	rows, C := 1, x.Dim(-1)
	shape := []int{k.width}
	if x.Rank() == 2 {
		rows = x.Dim(0)
		shape = []int{rows, k.width}
	}
	out, err := rc.Alloc(tensor.Float32, shape...)
	if err != nil {
		return nil, err
	}
	od := tensor.Data[float32](out)
	counts := make([]int, len(k.index))
	var key []byte
	for r := 0; r < rows; r++ {
		if err := rc.Err(); err != nil {
			return nil, err
		}
		clear(counts)
		for n := k.minN; n <= k.maxN; n++ {
			skips := k.maxSkip
			if n == 1 {
				skips = 0
			}
			for s := 0; s <= skips; s++ {
				span := (n-1)*(s+1) + 1
				for i := 0; i+span <= C; i++ {
					key = key[:0]
					for j := 0; j < n; j++ {
						at := r*C + i + j*(s+1)
						if strs != nil {
							key = appendStrKey(key, strs[at])
						} else {
							key = binary.LittleEndian.AppendUint64(key, uint64(ints[at]))
						}
					}
					if item, ok := k.pool[string(key)]; ok {
						counts[item]++
					}
				}
			}
		}
		row := od[r*k.width : (r+1)*k.width]
		for item, c := range counts {
			if c == 0 {
				continue
			}
			v := float32(c)
			switch k.mode {
			case "IDF":
				v = k.weight[item]
			case "TFIDF":
				v *= k.weight[item]
			}
			row[k.index[item]] += v // pool n-grams sharing a coordinate add up
		}
	}
	return []*tensor.Tensor{out}, nil
}

package std

import (
	"errors"
	"math/rand"
	"sort"
	"strings"
	"testing"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// refEinsum evaluates a letters-only equation by brute force: it visits
// every assignment of values to all labels and adds the product of the
// operands' elements into the output element.
func refEinsum(eq string, in ...*tensor.Tensor) *tensor.Tensor {
	eq = strings.ReplaceAll(eq, " ", "")
	lhs, rhs, explicit := strings.Cut(eq, "->")
	terms := strings.Split(lhs, ",")
	size := map[byte]int{}
	count := map[byte]int{}
	for i, t := range terms {
		for j := 0; j < len(t); j++ {
			size[t[j]] = in[i].Shape()[j]
			count[t[j]]++
		}
	}
	if !explicit {
		var once []string
		for l, c := range count {
			if c == 1 {
				once = append(once, string(l))
			}
		}
		sort.Strings(once)
		rhs = strings.Join(once, "")
	}
	var all []byte
	for l := range size {
		all = append(all, l)
	}
	dims := make([]int, len(all))
	for i, l := range all {
		dims[i] = size[l]
	}
	outShape := make([]int, len(rhs))
	for i := range rhs {
		outShape[i] = size[rhs[i]]
	}
	out := make([]float64, nnProd(outShape))
	data := make([][]float64, len(in))
	for i := range in {
		data[i] = nnF64s(in[i])
	}
	val := map[byte]int{}
	for p := 0; p < nnProd(dims); p++ {
		idx := nnUnravelIdx(p, dims)
		for i, l := range all {
			val[l] = idx[i]
		}
		v := 1.0
		for i, t := range terms {
			ix := make([]int, len(t))
			for j := range t {
				ix[j] = val[t[j]]
			}
			v *= data[i][nnRavelIdx(ix, in[i].Shape())]
		}
		oi := make([]int, len(rhs))
		for j := range rhs {
			oi[j] = val[rhs[j]]
		}
		out[nnRavelIdx(oi, outShape)] += v
	}
	return nnF64Tensor(outShape, out)
}

func TestEinsumMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewSource(16))
	cases := []struct {
		eq     string
		shapes [][]int
	}{
		{"ij,jk->ik", [][]int{{3, 4}, {4, 5}}},
		{"ij,jk", [][]int{{3, 4}, {4, 5}}},
		{"ij->ji", [][]int{{3, 4}}},
		{"ij->i", [][]int{{3, 4}}},
		{"ij->", [][]int{{3, 4}}},
		{"ii->i", [][]int{{4, 4}}},
		{"ii", [][]int{{4, 4}}},
		{"iij->ji", [][]int{{3, 3, 2}}},
		{"i,i", [][]int{{5}, {5}}},
		{"i,j->ij", [][]int{{3}, {4}}},
		{"bij,bjk->bik", [][]int{{2, 3, 4}, {2, 4, 5}}},
		{"bij, bjk -> bik", [][]int{{2, 3, 4}, {2, 4, 5}}},
		{"ijk,ikl,lm->jm", [][]int{{2, 3, 4}, {2, 4, 3}, {3, 2}}},
		{"abc,cd,bd->ad", [][]int{{2, 3, 4}, {4, 5}, {3, 5}}},
		{"ab,ab,ab->", [][]int{{2, 3}, {2, 3}, {2, 3}}},
		{"ik,kj,ii->ij", [][]int{{3, 2}, {2, 4}, {3, 3}}},
		{"Ab,bA->A", [][]int{{3, 2}, {2, 3}}},
		{"ij,kl->", [][]int{{2, 3}, {4, 1}}},
	}
	for _, c := range cases {
		in := make([]*tensor.Tensor, len(c.shapes))
		for i, s := range c.shapes {
			in[i] = randF64(rng, -1, 1, s...)
		}
		want := refEinsum(c.eq, in...)
		attrs := attrsOf(attrString("equation", c.eq))
		assertClose(t, runOp(t, "Einsum", 12, attrs, 1, in...)[0], want, 1e-12, 1e-12)
		in32 := make([]*tensor.Tensor, len(in))
		for i := range in {
			in32[i] = nnCast(in[i], tensor.Float32)
		}
		assertClose(t, runOp(t, "Einsum", 12, attrs, 1, in32...)[0], want, 1e-5, 1e-5)
	}
}

func TestEinsumEllipsis(t *testing.T) {
	rng := rand.New(rand.NewSource(17))
	a, b := randF64(rng, -1, 1, 2, 1, 3, 4), randF64(rng, -1, 1, 3, 4, 5)
	// Broadcast batch dims: the same as MatMul.
	got := runOp(t, "Einsum", 12, attrsOf(attrString("equation", "...ij,...jk->...ik")), 1, a, b)[0]
	assertClose(t, got, refMatMul(a, b), 1e-12, 1e-12)
	// Implicit output puts the ellipsis first.
	got = runOp(t, "Einsum", 12, attrsOf(attrString("equation", "...ij,...jk")), 1, a, b)[0]
	assertClose(t, got, refMatMul(a, b), 1e-12, 1e-12)
	// Batched diagonal, and an ellipsis in the middle.
	x := randF64(rng, -1, 1, 2, 3, 3)
	assertClose(t, runOp(t, "Einsum", 12, attrsOf(attrString("equation", "...ii ->...i")), 1, x)[0], refEinsum("bii->bi", x), 1e-12, 0)
	y := randF64(rng, -1, 1, 2, 3, 4, 5)
	assertClose(t, runOp(t, "Einsum", 12, attrsOf(attrString("equation", "a...d->da...")), 1, y)[0], refEinsum("abcd->dabc", y), 0, 0)
	// An ellipsis summed away.
	assertClose(t, runOp(t, "Einsum", 12, attrsOf(attrString("equation", "...i->i")), 1, y)[0], refEinsum("abcd->d", y), 1e-12, 1e-12)
	// Integers.
	ai := tensor.MustFromSlice([]int{2, 2}, []int64{1, 2, 3, 4})
	r := tensor.Data[int64](runOp(t, "Einsum", 12, attrsOf(attrString("equation", "ij,ij->")), 1, ai, ai)[0])
	if r[0] != 30 {
		t.Fatalf("int64 einsum %v, want 30", r)
	}
}

func TestEinsumErrors(t *testing.T) {
	f := tensor.Make[float32]
	cases := []struct {
		eq   string
		in   []*tensor.Tensor
		want error
	}{
		{"ij,jk->ik", []*tensor.Tensor{f(2, 3), f(4, 5)}, tensor.ErrShape},
		{"ij->ij", []*tensor.Tensor{f(2, 3, 4)}, tensor.ErrShape},
		{"ij...->ij", []*tensor.Tensor{f(2)}, tensor.ErrShape},
		{"ij->ik", []*tensor.Tensor{f(2, 3)}, tensor.ErrShape},
		{"ij,jk->ik", []*tensor.Tensor{f(2, 3), tensor.Make[float64](3, 5)}, tensor.ErrDType},
		{"ii->i", []*tensor.Tensor{f(2, 3)}, tensor.ErrShape},
		{"...i,...i->...i", []*tensor.Tensor{f(2, 3), f(4, 3)}, tensor.ErrShape},
	}
	for _, c := range cases {
		if err := runOpErr("Einsum", 12, attrsOf(attrString("equation", c.eq)), 1, c.in...); !errors.Is(err, c.want) {
			t.Errorf("%q: got %v, want %v", c.eq, err, c.want)
		}
	}
	// Broadcasting an ellipsis may not blow up an intermediate.
	if err := runOpErr("Einsum", 12, attrsOf(attrString("equation", "...i,...i->")), 1, f(1, 1<<14, 16), f(1<<14, 1, 16)); !errors.Is(err, runtime.ErrTooLarge) {
		t.Errorf("huge broadcast: %v", err)
	}
	for _, eq := range []string{"ij->ii", "i.j->i", "i$", "......->", "ij,jk->ik"} {
		if err := runOpErr("Einsum", 12, attrsOf(attrString("equation", eq)), 1, f(2, 2)); !errors.Is(err, runtime.ErrInvalidGraph) {
			t.Errorf("%q: got %v, want an invalid-graph error", eq, err)
		}
	}
}

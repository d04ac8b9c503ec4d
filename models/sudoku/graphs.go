package main

import (
	"math"
	"math/rand/v2"
	"strconv"

	"github.com/optnet-go/optnet/models/internal/exp"
	"github.com/optnet-go/optnet/onnxbuild"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// Every model maps the input "puzzle" (B, 64), the one-hot encoding of a
// puzzle (blank cells all zero), to the output "scores" (B, 64), decoded
// by the argmax of every cell's four scores. The models are float64 (the
// paper's models are double precision too): the QP's solution sits on
// many active bounds z ≥ 0 and its gradients are sensitive to rounding.
const (
	inputName  = "puzzle"
	outputName = "scores"
	cells      = 64
	// nEq is the number of learned equality constraints (the paper's 40).
	nEq = 40
)

type graph struct {
	b      *onnxbuild.Model
	params []string
}

func newGraph(name, doc string) *graph {
	b := onnxbuild.New(name, exp.Opsets)
	b.Proto().DocString = &doc
	b.Input(inputName, tensor.Float64, "batch", cells)
	b.Output(outputName, tensor.Float64, "batch", cells)
	return &graph{b: b}
}

func (g *graph) param(name string, shape []int, v []float64) string {
	g.params = append(g.params, name)
	return g.b.Initializer(name, exp.F64(shape, v))
}

func (g *graph) constant(name string, shape []int, v []float64) string {
	return g.b.Initializer(name, exp.F64(shape, v))
}

// buildOptNet is the paper's sudoku OptNet: one QP with n = 64,
// Q = 0.1·I, z ≥ 0 (G = −I, h = 0) and learned equality constraints
// Az = b with b = A·z₀ for a fixed board z₀ that satisfies the sudoku
// constraints (so the QP is always feasible), p = −puzzle. A starts
// uniform in [−1, 1).
//
// With on_failure "nan", an item the solver cannot solve gets a NaN row
// instead of failing the whole batch (the training loss leaves it out).
func buildOptNet(seed uint64, z0 []float64, onFailure string) *graph {
	rng := rand.New(rand.NewPCG(seed, 3))
	g := newGraph("sudoku_optnet", "4x4 sudoku OptNet: QP with Q = 0.1 I, z >= 0, learned Az = A z0; p = -puzzle (OptNet paper)")
	av := make([]float64, nEq*cells)
	for i := range av {
		av[i] = 2*rng.Float64() - 1
	}
	A := g.param("A", []int{nEq, cells}, av)
	Q := g.constant("Q", []int{cells, cells}, exp.Eye(cells, 0.1))
	G := g.constant("G", []int{cells, cells}, exp.Eye(cells, -1))
	h := g.constant("h", []int{cells}, make([]float64, cells))
	z := g.constant("z0", []int{cells}, z0)
	b := g.b.Node("MatMul", []string{A, z}, []string{"b"})
	p := g.b.Node("Neg", []string{inputName}, []string{"p"})
	exp.QPNode(g.b, []string{Q, p, G, h, A, b}, outputName, "on_failure", onFailure)
	return g
}

// buildFC is the baseline: a fully connected network 64 → hidden → … →
// 64 with ReLUs, initialised like PyTorch's nn.Linear.
func buildFC(seed uint64, hidden ...int) *graph {
	rng := rand.New(rand.NewPCG(seed, 4))
	name := "64"
	for _, h := range hidden {
		name += "-" + strconv.Itoa(h)
	}
	name += "-64"
	g := newGraph("sudoku_fc", "4x4 sudoku fully connected baseline "+name)
	x := inputName
	in := cells
	sizes := append(append([]int(nil), hidden...), cells)
	for i, out := range sizes {
		lim := 1 / math.Sqrt(float64(in))
		w := make([]float64, out*in)
		for k := range w {
			w[k] = lim * (2*rng.Float64() - 1)
		}
		bv := make([]float64, out)
		for k := range bv {
			bv[k] = lim * (2*rng.Float64() - 1)
		}
		s := strconv.Itoa(i + 1)
		W := g.param("W"+s, []int{out, in}, w)
		B := g.param("b"+s, []int{out}, bv)
		y := "fc" + s
		if i == len(sizes)-1 {
			y = outputName
		}
		x = g.b.Node("Gemm", []string{x, W, B}, []string{y}, onnxbuild.Int("transB", 1))
		if i < len(sizes)-1 {
			x = g.b.Node("Relu", []string{x}, []string{"relu" + s})
		}
		in = out
	}
	return g
}

package main

import (
	"math"
	"math/rand/v2"
	"strconv"

	"github.com/optnet-go/optnet/models/internal/exp"
	"github.com/optnet-go/optnet/onnxbuild"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// Every model maps the input "noisy" (B, 100) to the output "denoised"
// (B, 100), float32.
const (
	inputName  = "noisy"
	outputName = "denoised"
	sigLen     = 100
	// The QP models have n = 2·100 − 1 variables and m = 2·99 inequalities.
	qpN = 2*sigLen - 1
	qpM = 2 * (sigLen - 1)
)

// graph is an ONNX model under construction with the names of its
// trainable initializers.
type graph struct {
	b      *onnxbuild.Model
	params []string
}

func newGraph(name, doc string) *graph {
	b := onnxbuild.New(name, exp.Opsets)
	b.Proto().DocString = &doc
	b.Input(inputName, tensor.Float32, "batch", sigLen)
	b.Output(outputName, tensor.Float32, "batch", sigLen)
	return &graph{b: b}
}

func (g *graph) param(name string, shape []int, v []float64) string {
	g.params = append(g.params, name)
	return g.b.Initializer(name, exp.F32(shape, v))
}

func (g *graph) constant(name string, shape []int, v []float64) string {
	return g.b.Initializer(name, exp.F32(shape, v))
}

// buildFC is the fully connected baseline 100 → hidden → 100 with a ReLU,
// initialised like PyTorch's nn.Linear (uniform ±1/√fan_in).
func buildFC(hidden int, seed uint64) *graph {
	rng := rand.New(rand.NewPCG(seed, 1))
	uni := func(n int, lim float64) []float64 {
		v := make([]float64, n)
		for i := range v {
			v[i] = lim * (2*rng.Float64() - 1)
		}
		return v
	}
	g := newGraph("denoise_fc", "FC denoiser 100-"+strconv.Itoa(hidden)+"-100 (OptNet paper, signal denoising)")
	l1 := 1 / math.Sqrt(sigLen)
	l2 := 1 / math.Sqrt(float64(hidden))
	w1 := g.param("W1", []int{hidden, sigLen}, uni(hidden*sigLen, l1))
	b1 := g.param("b1", []int{hidden}, uni(hidden, l1))
	w2 := g.param("W2", []int{sigLen, hidden}, uni(sigLen*hidden, l2))
	b2 := g.param("b2", []int{sigLen}, uni(sigLen, l2))
	h := g.b.Node("Gemm", []string{inputName, w1, b1}, []string{"hidden"}, onnxbuild.Int("transB", 1))
	r := g.b.Node("Relu", []string{h}, []string{"hidden_relu"})
	g.b.Node("Gemm", []string{r, w2, b2}, []string{outputName}, onnxbuild.Int("transB", 1))
	return g
}

// liftP is P = [−I | 0] (100 × 199): x·P = [−x; 0], the QP's linear term
// for a signal x.
func liftP() []float64 {
	v := make([]float64, sigLen*qpN)
	for i := 0; i < sigLen; i++ {
		v[i*qpN+i] = -1
	}
	return v
}

// projectS is S = [I; 0] (199 × 100): z·S is the first 100 entries of z.
func projectS() []float64 {
	v := make([]float64, qpN*sigLen)
	for i := 0; i < sigLen; i++ {
		v[i*sigLen+i] = 1
	}
	return v
}

// liftAndSolve adds p = x·P (+ c), the QP node and y = z·S, for the input x.
func (g *graph) liftAndSolve(x, c string, q, gm, h string) {
	P := g.constant("P_lift", []int{sigLen, qpN}, liftP())
	S := g.constant("S_project", []int{qpN, sigLen}, projectS())
	p := g.b.Node("MatMul", []string{x, P}, []string{"p_lifted"})
	if c != "" {
		p = g.b.Node("Add", []string{p, c}, []string{"p"})
	}
	z := exp.QPNode(g.b, []string{q, p, gm, h}, "z")
	g.b.Node("MatMul", []string{z, S}, []string{outputName})
}

// buildOptNet is the pure OptNet denoiser: a QP with n = 199, m = 198,
// learned Q = LLᵀ + εI, G and h = G z₀ + relu(s₀) (always feasible: z₀ is
// a feasible point), p = [−x; 0], y = the first 100 entries of z.
func buildOptNet(seed uint64, eps float64) *graph {
	rng := rand.New(rand.NewPCG(seed, 2))
	g := newGraph("denoise_optnet", "pure OptNet denoiser: QP with learned Q = LL^T + eps I, G, h = G z0 + relu(s0); p = [-x; 0] (OptNet paper)")
	// L starts at the identity, so the first model is y = x/(1+ε) where the
	// constraints allow it.
	L := g.param("L", []int{qpN, qpN}, exp.Eye(qpN, 1))
	gv := make([]float64, qpM*qpN)
	lim := 1 / math.Sqrt(qpN)
	for i := range gv {
		gv[i] = lim * (2*rng.Float64() - 1)
	}
	G := g.param("G", []int{qpM, qpN}, gv)
	z0 := g.param("z0", []int{qpN}, make([]float64, qpN))
	s0v := make([]float64, qpM)
	for i := range s0v {
		s0v[i] = 1
	}
	s0 := g.param("s0", []int{qpM}, s0v)
	epsI := g.constant("eps_I", []int{qpN, qpN}, exp.Eye(qpN, eps))
	Q := g.b.Node("Gemm", []string{L, L, epsI}, []string{"Q"}, onnxbuild.Int("transB", 1))
	gz := g.b.Node("MatMul", []string{G, z0}, []string{"G_z0"})
	slack := g.b.Node("Relu", []string{s0}, []string{"s0_pos"})
	h := g.b.Node("Add", []string{gz, slack}, []string{"h"})
	g.liftAndSolve(inputName, "", Q, G, h)
	return g
}

// firstDifferences is the 99 × 100 matrix D with (Dy)ᵢ = yᵢ₊₁ − yᵢ.
func firstDifferences() []float64 {
	v := make([]float64, (sigLen-1)*sigLen)
	for i := 0; i < sigLen-1; i++ {
		v[i*sigLen+i] = -1
		v[i*sigLen+i+1] = 1
	}
	return v
}

// tvQ is blockdiag(I₁₀₀, 0₉₉).
func tvQ() []float64 {
	v := make([]float64, qpN*qpN)
	for i := 0; i < sigLen; i++ {
		v[i*qpN+i] = 1
	}
	return v
}

// tvC is c = [0₁₀₀; λ·1₉₉].
func tvC(lambda float64) []float64 {
	v := make([]float64, qpN)
	for i := sigLen; i < qpN; i++ {
		v[i] = lambda
	}
	return v
}

// tvG is G = [[D, −I], [−D, −I]] for a 99 × 100 D.
func tvG(d []float64) []float64 {
	const k = sigLen - 1
	v := make([]float64, qpM*qpN)
	for i := 0; i < k; i++ {
		for j := 0; j < sigLen; j++ {
			v[i*qpN+j] = d[i*sigLen+j]
			v[(k+i)*qpN+j] = -d[i*sigLen+j]
		}
		v[i*qpN+sigLen+i] = -1
		v[(k+i)*qpN+sigLen+i] = -1
	}
	return v
}

// buildTV is total-variation denoising min_y ½‖y − x‖² + λ‖Dy‖₁ as the QP
// over [y; t]: Q = blockdiag(I, 0), p = [−x; λ1], G = [[D, −I], [−D, −I]],
// h = 0. With learnD, D is a trained parameter (initialised at d), made
// zero-sum by row in the graph (ReduceMean, Sub), and G is built from it
// (Neg, Concat); otherwise G is a constant.
func buildTV(lambda float64, d []float64, learnD bool) *graph {
	name, doc := "denoise_tv", "total-variation denoiser: min_y 1/2|y-x|^2 + lambda |Dy|_1 as a QP (OptNet paper)"
	if learnD {
		name, doc = "denoise_tuned_tv", "OptNet-tuned total-variation denoiser: the TV QP with a learned difference operator D (OptNet paper)"
	}
	g := newGraph(name, doc)
	Q := g.constant("Q_tv", []int{qpN, qpN}, tvQ())
	c := g.constant("c_lambda", []int{qpN}, tvC(lambda))
	h := g.constant("h_zero", []int{qpM}, make([]float64, qpM))
	var G string
	if learnD {
		// D is stored as a free matrix; the graph subtracts each row's mean,
		// so the D the QP sees always has zero row sums: constant signals
		// cost nothing, like with first differences. Without this, the
		// first steps move the row sums off zero, every flat stretch of a
		// signal (values ≈ 55) starts paying λ|Dy|, and training diverges
		// (RESULTS.md).
		Draw := g.param("D", []int{sigLen - 1, sigLen}, d)
		mean := g.b.Node("ReduceMean", []string{Draw}, []string{"D_row_mean"}, onnxbuild.Ints("axes", 1), onnxbuild.Int("keepdims", 1))
		D := g.b.Node("Sub", []string{Draw, mean}, []string{"D_zero_sum"})
		negI := g.constant("neg_I", []int{sigLen - 1, sigLen - 1}, exp.Eye(sigLen-1, -1))
		negD := g.b.Node("Neg", []string{D}, []string{"neg_D"})
		top := g.b.Node("Concat", []string{D, negI}, []string{"G_top"}, onnxbuild.Int("axis", 1))
		bot := g.b.Node("Concat", []string{negD, negI}, []string{"G_bottom"}, onnxbuild.Int("axis", 1))
		G = g.b.Node("Concat", []string{top, bot}, []string{"G"}, onnxbuild.Int("axis", 0))
	} else {
		G = g.constant("G_tv", []int{qpM, qpN}, tvG(d))
	}
	g.liftAndSolve(inputName, c, Q, G, h)
	return g
}

// tunedShifts is K of the tuned TV model's coupling: A = I + Σ_{|k|≤K} aₖ Sₖ
// + a_μ 11ᵀ/100 (2K + 2 numbers).
const tunedShifts = 5

// couplingBasis is the (2K+2) × 10000 matrix whose rows are the flattened
// transposes of the coupling's basis matrices: S₋ₖ … Sₖ ((Sₖ)ᵢⱼ = 1 for
// j = i + k) and 11ᵀ/100, so that a·basis, reshaped, is (A − I)ᵀ.
func couplingBasis(k int) []float64 {
	nb := 2*k + 2
	v := make([]float64, nb*sigLen*sigLen)
	for o := -k; o <= k; o++ {
		row := v[(o+k)*sigLen*sigLen:]
		for i := 0; i < sigLen; i++ {
			if j := i + o; j >= 0 && j < sigLen {
				row[j*sigLen+i] = 1 // (Sₒ)ᵀ[j][i]
			}
		}
	}
	row := v[(2*k+1)*sigLen*sigLen:]
	for i := range sigLen * sigLen {
		row[i] = 1.0 / sigLen
	}
	return v
}

// buildTunedTV is the OptNet-tuned TV denoiser: the TV QP over [y; t]
//
//	min ½‖y‖² − yᵀ(A x) + Σᵢ λ wᵢ tᵢ   s.t.   −t ≤ Dy ≤ t
//
// with D the first differences (G stays sparse and banded), and two learned
// parts of the linear term p = [−A x; λ w]: the coupling A = I + Σ_{|k|≤K}
// aₖ Sₖ + a_μ 11ᵀ/100 (a banded Toeplitz matrix plus a multiple of the
// mean; parameter "a", 2K + 2 numbers, initialised at 0) and per-row
// weights w of ‖Dy‖₁ (parameter "w", 99 numbers, initialised at 1). At the
// start it is exactly TV with parameter λ.
func buildTunedTV(lambda float64, k int) *graph {
	g := newGraph("denoise_tuned_tv", "OptNet-tuned total-variation denoiser: the TV QP with a learned coupling A (p = [-A x; lambda w]) and learned per-row weights w of |Dy|_1 (OptNet paper)")
	nb := 2*k + 2
	a := g.param("a", []int{1, nb}, make([]float64, nb))
	ones := make([]float64, sigLen-1)
	for i := range ones {
		ones[i] = 1
	}
	w := g.param("w", []int{1, sigLen - 1}, ones)
	basis := g.constant("A_basis", []int{nb, sigLen * sigLen}, couplingBasis(k))
	shape := g.b.Initializer("A_shape", tensor.MustFromSlice([]int{2}, []int64{sigLen, sigLen}))
	eye := g.constant("I_100", []int{sigLen, sigLen}, exp.Eye(sigLen, 1))
	flat := g.b.Node("MatMul", []string{a, basis}, []string{"A_delta_flat"})
	delta := g.b.Node("Reshape", []string{flat, shape}, []string{"A_delta_T"})
	at := g.b.Node("Add", []string{eye, delta}, []string{"A_T"})
	xa := g.b.Node("MatMul", []string{inputName, at}, []string{"x_coupled"})
	lift := make([]float64, (sigLen-1)*qpN)
	for i := 0; i < sigLen-1; i++ {
		lift[i*qpN+sigLen+i] = lambda
	}
	lt := g.constant("lambda_lift", []int{sigLen - 1, qpN}, lift)
	c := g.b.Node("MatMul", []string{w, lt}, []string{"c_lambda_w"})
	Q := g.constant("Q_tv", []int{qpN, qpN}, tvQ())
	G := g.constant("G_tv", []int{qpM, qpN}, tvG(firstDifferences()))
	h := g.constant("h_zero", []int{qpM}, make([]float64, qpM))
	g.liftAndSolve(xa, c, Q, G, h)
	return g
}

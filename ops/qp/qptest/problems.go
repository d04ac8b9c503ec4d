package qptest

import (
	"math"
	"math/rand/v2"

	"github.com/optnet-go/optnet/ops/qp"
)

// Config describes a family of random test problems.
type Config struct {
	Name    string
	B, N    int
	M, K    int
	Shared  qp.Input // inputs without a batch dimension
	PSD     bool     // Q singular (rank n−2) but the QP strictly convex
	Planted bool     // build p, h, b around a known strictly complementary solution
}

// Planted holds the known solution of a planted problem.
type Planted struct {
	Z, Lam, Nu []float64 // B×n, B×m, B×k
}

// randMat fills an r×c matrix with standard normal entries.
func randMat(rng *rand.Rand, r, c int) []float64 {
	x := make([]float64, r*c)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	return x
}

// randQ returns a symmetric positive definite n×n matrix LLᵀ + 0.1I, or,
// when psd, a rank n−2 positive semidefinite one.
func randQ(rng *rand.Rand, n int, psd bool) []float64 {
	rank := n
	if psd {
		rank = max(n-2, 0)
	}
	l := randMat(rng, n, rank)
	q := make([]float64, n*n)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			s := 0.0
			for r := 0; r < rank; r++ {
				s += l[i*rank+r] * l[j*rank+r]
			}
			q[i*n+j] = s / float64(max(rank, 1))
		}
		if !psd {
			q[i*n+i] += 0.1
		}
	}
	return q
}

// Random builds a problem of the given configuration. For planted
// configurations (which need p, h and b batched) it also returns the known
// solution: each item has a random z, active constraints with λ ∈ [0.5, 1.5]
// and s = 0, inactive ones with s ∈ [0.5, 1.5] and λ = 0, random ν, and p, h,
// b chosen so that these satisfy the KKT conditions. With PSD, the first two
// constraints are active so that Q's two-dimensional null space is pinned.
func Random(rng *rand.Rand, c Config) (*qp.Problem, *Planted) {
	n, m, k, nb := c.N, c.M, c.K, c.B
	pr := &qp.Problem{Batch: nb, N: n, M: m, K: k, Shared: c.Shared}
	count := func(in qp.Input) int {
		if c.Shared&in != 0 {
			return 1
		}
		return nb
	}
	for range count(qp.InputQ) {
		pr.Q = append(pr.Q, randQ(rng, n, c.PSD)...)
	}
	if m > 0 {
		pr.G = randMat(rng, count(qp.InputG)*m, n)
	}
	if k > 0 {
		pr.A = randMat(rng, count(qp.InputA)*k, n)
	}
	pick := func(x []float64, in qp.Input, size, i int) []float64 {
		if c.Shared&in != 0 {
			return x
		}
		return x[i*size : (i+1)*size]
	}
	if c.Planted {
		pl := &Planted{Z: randMat(rng, nb, n), Lam: make([]float64, nb*m), Nu: randMat(rng, nb, k)}
		pr.P, pr.H, pr.B = make([]float64, nb*n), make([]float64, nb*m), make([]float64, nb*k)
		for i := 0; i < nb; i++ {
			q, g, a := pick(pr.Q, qp.InputQ, n*n, i), pick(pr.G, qp.InputG, m*n, i), pick(pr.A, qp.InputA, k*n, i)
			z, lam, nu := pl.Z[i*n:(i+1)*n], pl.Lam[i*m:(i+1)*m], pl.Nu[i*k:(i+1)*k]
			s := make([]float64, m)
			// At most n − k active rows, so that the multipliers are unique,
			// and one fewer where possible, so that the active constraints
			// rarely pin z to an ill-conditioned vertex.
			maxActive := max(n-k-1, min(n-k, 1))
			for r := 0; r < m; r++ {
				if r < maxActive && (rng.IntN(2) == 0 || (c.PSD && r < 2)) {
					lam[r] = 0.5 + rng.Float64()
				} else {
					s[r] = 0.5 + rng.Float64()
				}
			}
			mulAdd(pr.H[i*m:(i+1)*m], g, m, n, z, s)
			mulAdd(pr.B[i*k:(i+1)*k], a, k, n, z, nil)
			p := pr.P[i*n : (i+1)*n]
			mulAdd(p, q, n, n, z, nil)
			mulTAdd(p, g, m, n, lam)
			mulTAdd(p, a, k, n, nu)
			for j := range p {
				p[j] = -p[j]
			}
		}
		return pr, pl
	}
	// Not planted: z = 0 is strictly feasible when h > 0 and b = A·0 = 0.
	pr.P = randMat(rng, count(qp.InputP), n)
	if m > 0 {
		pr.H = make([]float64, count(qp.InputH)*m)
		for i := range pr.H {
			pr.H[i] = 0.2 + rng.Float64()
		}
	}
	if k > 0 {
		pr.B = make([]float64, count(qp.InputB)*k)
	}
	return pr, nil
}

// mulAdd sets y = A·x + add (add may be nil) for the r×c matrix A.
func mulAdd(y, a []float64, r, c int, x, add []float64) {
	for i := 0; i < r; i++ {
		s := 0.0
		for j := 0; j < c; j++ {
			s += a[i*c+j] * x[j]
		}
		if add != nil {
			s += add[i]
		}
		y[i] = s
	}
}

// mulTAdd adds Aᵀ·x to y for the r×c matrix A.
func mulTAdd(y, a []float64, r, c int, x []float64) {
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			y[j] += a[i*c+j] * x[i]
		}
	}
}

// KKT holds the optimality residuals of one item, each relative to the size
// of the terms it balances.
type KKT struct {
	Stationarity    float64 // ‖Qz + p + Gᵀλ + Aᵀν‖∞ / (1 + scale)
	Inequality      float64 // max(Gz − h)⁺ / (1 + scale)
	Equality        float64 // ‖Az − b‖∞ / (1 + scale)
	Complementarity float64 // max |λᵢ (h − Gz)ᵢ| / (1 + scale)
	NegativeDual    float64 // max(−λ)⁺
}

// Max returns the largest residual.
func (r KKT) Max() float64 {
	return max(r.Stationarity, r.Inequality, r.Equality, r.Complementarity, r.NegativeDual)
}

// Residuals computes item i's KKT residuals of a solution, independently of
// any solver code.
func Residuals(pr *qp.Problem, sol *qp.Solution, i int) KKT {
	n, m, k := pr.N, pr.M, pr.K
	pick := func(x []float64, in qp.Input, size int) []float64 {
		if pr.Shared&in != 0 {
			return x
		}
		return x[i*size : (i+1)*size]
	}
	q, p := pick(pr.Q, qp.InputQ, n*n), pick(pr.P, qp.InputP, n)
	g, h := pick(pr.G, qp.InputG, m*n), pick(pr.H, qp.InputH, m)
	a, b := pick(pr.A, qp.InputA, k*n), pick(pr.B, qp.InputB, k)
	z, lam, nu := sol.Z[i*n:(i+1)*n], sol.Lam[i*m:(i+1)*m], sol.Nu[i*k:(i+1)*k]
	var r KKT
	rx := make([]float64, n)
	qz := make([]float64, n)
	mulAdd(qz, q, n, n, z, nil)
	gl, an := make([]float64, n), make([]float64, n)
	mulTAdd(gl, g, m, n, lam)
	mulTAdd(an, a, k, n, nu)
	scale := 0.0
	for j := range rx {
		rx[j] = qz[j] + p[j] + gl[j] + an[j]
		scale = max(scale, math.Abs(qz[j]), math.Abs(p[j]), math.Abs(gl[j]), math.Abs(an[j]))
	}
	r.Stationarity = maxAbsOf(rx) / (1 + scale)
	gz := make([]float64, m)
	mulAdd(gz, g, m, n, z, nil)
	scale = max(maxAbsOf(gz), maxAbsOf(h))
	for j := 0; j < m; j++ {
		r.Inequality = max(r.Inequality, (gz[j]-h[j])/(1+scale))
		r.Complementarity = max(r.Complementarity, math.Abs(lam[j]*(h[j]-gz[j]))/(1+scale*maxAbsOf(lam)))
		r.NegativeDual = max(r.NegativeDual, -lam[j])
	}
	az := make([]float64, k)
	mulAdd(az, a, k, n, z, nil)
	scale = max(maxAbsOf(az), maxAbsOf(b))
	for j := 0; j < k; j++ {
		r.Equality = max(r.Equality, math.Abs(az[j]-b[j])/(1+scale))
	}
	return r
}

func maxAbsOf(x []float64) float64 {
	r := 0.0
	for _, v := range x {
		r = max(r, math.Abs(v))
	}
	return r
}

// TotalVariation returns the total-variation denoising QP for the signals
// xs (each of length len), with penalty lambda: z = [y; t] ∈ ℝ^{2N−1},
// Q = blockdiag(I_N, 0), p = [−x; λ·1], G = [[D, −I], [−D, −I]], h = 0,
// where D is the (N−1)×N first-difference matrix. Q is only positive
// semidefinite. With shared set, Q, G and h are shared by the batch.
func TotalVariation(xs [][]float64, lambda float64, shared bool) *qp.Problem {
	nx := len(xs[0])
	n, m := 2*nx-1, 2*(nx-1)
	q := make([]float64, n*n)
	for i := 0; i < nx; i++ {
		q[i*n+i] = 1
	}
	g := make([]float64, m*n)
	for i := 0; i < nx-1; i++ {
		r1, r2 := i, nx-1+i
		g[r1*n+i], g[r1*n+i+1], g[r1*n+nx+i] = -1, 1, -1
		g[r2*n+i], g[r2*n+i+1], g[r2*n+nx+i] = 1, -1, -1
	}
	h := make([]float64, m)
	pr := &qp.Problem{Batch: len(xs), N: n, M: m}
	var p []float64
	for _, x := range xs {
		for _, v := range x {
			p = append(p, -v)
		}
		for i := 0; i < nx-1; i++ {
			p = append(p, lambda)
		}
	}
	pr.P = p
	if shared {
		pr.Q, pr.G, pr.H = q, g, h
		pr.Shared = qp.InputQ | qp.InputG | qp.InputH
		return pr
	}
	for range xs {
		pr.Q = append(pr.Q, q...)
		pr.G = append(pr.G, g...)
		pr.H = append(pr.H, h...)
	}
	return pr
}

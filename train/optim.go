package train

import (
	"fmt"
	"math"

	"github.com/optnet-go/optnet/internal/parallel"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// Optimizer updates parameters in place from their gradients.
type Optimizer interface {
	// Update applies one step with learning rate lr to param (in place),
	// keeping per-parameter state under name. It must not modify grad.
	Update(name string, param, grad *tensor.Tensor, lr float64) error
	// Name is the optimizer's name in logs.
	Name() string
}

// scaledUpdater is implemented by the optimizers of this package: Update
// with the gradient multiplied by gscale (gradient clipping), without
// materialising the scaled gradient.
type scaledUpdater interface {
	updateScaled(name string, param, grad *tensor.Tensor, gscale, lr float64) error
}

// optGrain is the number of elements below which an update runs on one
// core. Waking a helper goroutine costs 50–100 µs on the 2-vCPU machines
// this is tuned on, about what the AVX Adam kernel needs for 2¹⁷–2¹⁸
// elements, so only larger tensors are split.
const optGrain = 1 << 18

// checkUpdate validates a parameter/gradient pair and returns their dtype.
func checkUpdate(p, g *tensor.Tensor) (tensor.DType, error) {
	if !tensor.SameShape(p.Shape(), g.Shape()) {
		return 0, fmt.Errorf("gradient %v does not match parameter %v: %w", g.Shape(), p.Shape(), tensor.ErrShape)
	}
	if p.DType() != tensor.Float32 && p.DType() != tensor.Float64 {
		return 0, fmt.Errorf("cannot train a %v parameter: %w", p.DType(), tensor.ErrDType)
	}
	if g.DType() != p.DType() {
		return 0, fmt.Errorf("gradient is %v, parameter %v: %w", g.DType(), p.DType(), tensor.ErrDType)
	}
	return p.DType(), nil
}

// stateSlice returns the optimizer state slice kept under key, made (zeroed)
// with the parameter's element type and length on first use.
func stateSlice[T float32 | float64](st map[string]any, key string, n int) ([]T, error) {
	if v, ok := st[key]; ok {
		s, ok := v.([]T)
		if !ok || len(s) != n {
			return nil, fmt.Errorf("optimizer state %q does not match the parameter (its dtype or size changed): %w", key, tensor.ErrShape)
		}
		return s, nil
	}
	s := make([]T, n)
	st[key] = s
	return s, nil
}

// SGD is stochastic gradient descent with optional momentum, Nesterov
// momentum and (L2) weight decay, with PyTorch's update rule. Its state
// (the momentum buffers) has the parameters' dtype.
type SGD struct {
	Momentum    float64
	Nesterov    bool
	WeightDecay float64
	buf         map[string]any
}

// Name returns "sgd".
func (o *SGD) Name() string { return "sgd" }

// Update applies d = g + λp; v = μv + d; p -= lr·(Nesterov ? d + μv : v)
// (with μ = 0: p -= lr·d).
func (o *SGD) Update(name string, p, g *tensor.Tensor, lr float64) error {
	return o.updateScaled(name, p, g, 1, lr)
}

func (o *SGD) updateScaled(name string, p, g *tensor.Tensor, gs, lr float64) error {
	dt, err := checkUpdate(p, g)
	if err != nil {
		return err
	}
	if o.buf == nil {
		o.buf = map[string]any{}
	}
	switch dt {
	case tensor.Float32:
		return sgdRun(o, name, tensor.Data[float32](p), tensor.Data[float32](g), gs, lr)
	default:
		return sgdRun(o, name, tensor.Data[float64](p), tensor.Data[float64](g), gs, lr)
	}
}

func sgdRun[T float32 | float64](o *SGD, name string, p, g []T, gs, lr float64) error {
	var v []T
	if o.Momentum != 0 {
		var err error
		if v, err = stateSlice[T](o.buf, name, len(p)); err != nil {
			return err
		}
	}
	g = g[:len(p)]
	mu, wd, nest := T(o.Momentum), T(o.WeightDecay), o.Nesterov
	scale, rate := T(gs), T(lr)
	parallel.For(len(p), optGrain, func(lo, hi int) {
		p, g := p[lo:hi], g[lo:hi]
		if v == nil {
			for i, gi := range g {
				p[i] -= rate * (gi*scale + wd*p[i])
			}
			return
		}
		v := v[lo:hi]
		for i, gi := range g {
			d := gi*scale + wd*p[i]
			vi := mu*v[i] + d
			v[i] = vi
			if nest {
				d += mu * vi
			} else {
				d = vi
			}
			p[i] -= rate * d
		}
	})
	return nil
}

// Adam is Adam (Kingma & Ba) with bias correction; Decoupled selects AdamW
// (weight decay applied to the parameters, not added to the gradient),
// with PyTorch's update rule. Its state (first and second moments) has
// the parameters' dtype, and updates are computed in that precision.
type Adam struct {
	Beta1, Beta2, Eps float64 // defaults 0.9, 0.999, 1e-8
	WeightDecay       float64
	Decoupled         bool
	m, v              map[string]any
	t                 map[string]int
}

// Name returns "adam" or "adamw".
func (o *Adam) Name() string {
	if o.Decoupled {
		return "adamw"
	}
	return "adam"
}

// Update applies one Adam step: with g' = g (+ λp unless Decoupled),
// m = β₁m + (1−β₁)g', v = β₂v + (1−β₂)g'², and
// p = p(1 − lr·λ if Decoupled) − lr/(1−β₁ᵗ) · m / (√v/√(1−β₂ᵗ) + ε).
func (o *Adam) Update(name string, p, g *tensor.Tensor, lr float64) error {
	return o.updateScaled(name, p, g, 1, lr)
}

// adamCoef are the per-step scalars of an Adam update.
type adamCoef struct {
	b1, b2, eps  float64
	step         float64 // lr / (1 − β₁ᵗ)
	invSqrtC2    float64 // 1 / √(1 − β₂ᵗ)
	decay        float64 // 1 − lr·λ for AdamW, else 1
	wd, gs       float64 // coupled weight decay, gradient scale
	coupledDecay bool
}

func (o *Adam) updateScaled(name string, p, g *tensor.Tensor, gs, lr float64) error {
	dt, err := checkUpdate(p, g)
	if err != nil {
		return err
	}
	if o.m == nil {
		o.m, o.v, o.t = map[string]any{}, map[string]any{}, map[string]int{}
	}
	c := adamCoef{b1: o.Beta1, b2: o.Beta2, eps: o.Eps, decay: 1, gs: gs}
	if c.b1 == 0 {
		c.b1 = 0.9
	}
	if c.b2 == 0 {
		c.b2 = 0.999
	}
	if c.eps == 0 {
		c.eps = 1e-8
	}
	t := float64(o.t[name] + 1)
	c.step = lr / (1 - math.Pow(c.b1, t))
	c.invSqrtC2 = 1 / math.Sqrt(1-math.Pow(c.b2, t))
	if o.WeightDecay != 0 {
		if o.Decoupled {
			c.decay = 1 - lr*o.WeightDecay
		} else {
			c.wd, c.coupledDecay = o.WeightDecay, true
		}
	}
	switch dt {
	case tensor.Float32:
		err = adamRun(o, name, tensor.Data[float32](p), tensor.Data[float32](g), &c)
	default:
		err = adamRun(o, name, tensor.Data[float64](p), tensor.Data[float64](g), &c)
	}
	if err == nil {
		o.t[name]++
	}
	return err
}

func adamRun[T float32 | float64](o *Adam, name string, p, g []T, c *adamCoef) error {
	m, err := stateSlice[T](o.m, name, len(p))
	if err != nil {
		return err
	}
	v, err := stateSlice[T](o.v, name, len(p))
	if err != nil {
		return err
	}
	g = g[:len(p)]
	parallel.For(len(p), optGrain, func(lo, hi int) {
		// Concrete kernels: the compiler then uses SQRTSS/SQRTSD and keeps
		// every coefficient in a register.
		switch p := any(p).(type) {
		case []float32:
			adam32(p[lo:hi], any(g).([]float32)[lo:hi], any(m).([]float32)[lo:hi], any(v).([]float32)[lo:hi], c)
		case []float64:
			adam64(p[lo:hi], any(g).([]float64)[lo:hi], any(m).([]float64)[lo:hi], any(v).([]float64)[lo:hi], c)
		}
	})
	return nil
}

func adam32(p, g, m, v []float32, c *adamCoef) {
	b1, b2 := float32(c.b1), float32(c.b2)
	a1, a2 := 1-b1, 1-b2
	step, isc2, eps := float32(c.step), float32(c.invSqrtC2), float32(c.eps)
	decay, wd, gs := float32(c.decay), float32(c.wd), float32(c.gs)
	g, m, v = g[:len(p)], m[:len(p)], v[:len(p)]
	done := adam32Vec(p, g, m, v, &adam32Args{gs: gs, wd: wd, b1: b1, a1: a1, b2: b2, a2: a2, isc2: isc2, eps: eps, step: step, decay: decay})
	adam32Scalar(p[done:], g[done:], m[done:], v[done:], gs, wd, b1, a1, b2, a2, isc2, eps, step, decay)
}

// adam32Scalar is the portable float32 Adam loop (adam32AVX does the same
// operations in the same order, 8 lanes at a time).
func adam32Scalar(p, g, m, v []float32, gs, wd, b1, a1, b2, a2, isc2, eps, step, decay float32) {
	g, m, v = g[:len(p)], m[:len(p)], v[:len(p)]
	for i, gi := range g {
		gi = gi*gs + wd*p[i]
		mi := b1*m[i] + a1*gi
		vi := b2*v[i] + a2*gi*gi
		m[i], v[i] = mi, vi
		p[i] = p[i]*decay - step*mi/(float32(math.Sqrt(float64(vi)))*isc2+eps)
	}
}

func adam64(p, g, m, v []float64, c *adamCoef) {
	g, m, v = g[:len(p)], m[:len(p)], v[:len(p)]
	done := adam64Vec(p, g, m, v, &adam64Args{gs: c.gs, wd: c.wd, b1: c.b1, a1: 1 - c.b1, b2: c.b2, a2: 1 - c.b2,
		isc2: c.invSqrtC2, eps: c.eps, step: c.step, decay: c.decay})
	adam64Scalar(p[done:], g[done:], m[done:], v[done:], c)
}

// adam64Scalar is the portable float64 Adam loop (adam64AVX does the same
// operations in the same order, 4 lanes at a time).
func adam64Scalar(p, g, m, v []float64, c *adamCoef) {
	b1, b2 := c.b1, c.b2
	a1, a2 := 1-b1, 1-b2
	step, isc2, eps := c.step, c.invSqrtC2, c.eps
	decay, wd, gs := c.decay, c.wd, c.gs
	g, m, v = g[:len(p)], m[:len(p)], v[:len(p)]
	for i, gi := range g {
		gi = gi*gs + wd*p[i]
		mi := b1*m[i] + a1*gi
		vi := b2*v[i] + a2*gi*gi
		m[i], v[i] = mi, vi
		p[i] = p[i]*decay - step*mi/(math.Sqrt(vi)*isc2+eps)
	}
}

// ParseOptimizer returns the optimizer with the given command-line name:
// sgd, momentum (SGD with 0.9), nesterov, adam, adamw.
func ParseOptimizer(name string, weightDecay float64) (Optimizer, error) {
	switch name {
	case "sgd":
		return &SGD{WeightDecay: weightDecay}, nil
	case "momentum":
		return &SGD{Momentum: 0.9, WeightDecay: weightDecay}, nil
	case "nesterov":
		return &SGD{Momentum: 0.9, Nesterov: true, WeightDecay: weightDecay}, nil
	case "adam":
		return &Adam{WeightDecay: weightDecay}, nil
	case "adamw":
		return &Adam{WeightDecay: weightDecay, Decoupled: true}, nil
	}
	return nil, fmt.Errorf("unknown optimizer %q (want sgd, momentum, nesterov, adam or adamw)", name)
}

// Schedule maps a step number (from 0) to a learning-rate multiplier.
type Schedule func(step int) float64

// StepDecay multiplies the rate by gamma every `every` steps (PyTorch's
// StepLR stepped once per optimizer step).
func StepDecay(every int, gamma float64) Schedule {
	return func(step int) float64 {
		if every <= 0 {
			return 1
		}
		return math.Pow(gamma, float64(step/every))
	}
}

// Cosine anneals the rate from 1 to minRatio over total steps (PyTorch's
// CosineAnnealingLR with T_max = total, eta_min = minRatio·LR), and stays
// at minRatio afterwards.
func Cosine(total int, minRatio float64) Schedule {
	return func(step int) float64 {
		if total <= 0 || step >= total {
			return minRatio
		}
		return minRatio + (1-minRatio)*0.5*(1+math.Cos(math.Pi*float64(step)/float64(total)))
	}
}

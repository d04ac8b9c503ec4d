package train

import (
	"fmt"
	"math"

	"github.com/optnet-go/optnet/runtime/tensor"
)

// Optimizer updates parameters in place from their gradients.
type Optimizer interface {
	// Update applies one step with learning rate lr to param (in place),
	// keeping per-parameter state under name.
	Update(name string, param, grad *tensor.Tensor, lr float64) error
	// Name is the optimizer's name in logs.
	Name() string
}

// SGD is stochastic gradient descent with optional momentum, Nesterov
// momentum and (L2) weight decay, with PyTorch's update rule.
type SGD struct {
	Momentum    float64
	Nesterov    bool
	WeightDecay float64
	buf         map[string][]float64
}

// Name returns "sgd".
func (o *SGD) Name() string { return "sgd" }

// Update applies v = μv + (g + λp); p -= lr·(Nesterov ? g + λp + μv : v).
func (o *SGD) Update(name string, p, g *tensor.Tensor, lr float64) error {
	return update(p, g, func(pv, gv []float64) {
		var v []float64
		if o.Momentum != 0 {
			if o.buf == nil {
				o.buf = map[string][]float64{}
			}
			v = o.buf[name]
			if v == nil {
				v = make([]float64, len(pv))
				o.buf[name] = v
			}
		}
		for i := range pv {
			d := gv[i] + o.WeightDecay*pv[i]
			if v != nil {
				v[i] = o.Momentum*v[i] + d
				if o.Nesterov {
					d += o.Momentum * v[i]
				} else {
					d = v[i]
				}
			}
			pv[i] -= lr * d
		}
	})
}

// Adam is Adam (Kingma & Ba) with bias correction; Decoupled selects AdamW
// (weight decay applied to the parameters, not added to the gradient).
type Adam struct {
	Beta1, Beta2, Eps float64 // defaults 0.9, 0.999, 1e-8
	WeightDecay       float64
	Decoupled         bool
	m, v              map[string][]float64
	t                 map[string]int
}

// Name returns "adam" or "adamw".
func (o *Adam) Name() string {
	if o.Decoupled {
		return "adamw"
	}
	return "adam"
}

// Update applies one Adam step.
func (o *Adam) Update(name string, p, g *tensor.Tensor, lr float64) error {
	if o.m == nil {
		o.m, o.v, o.t = map[string][]float64{}, map[string][]float64{}, map[string]int{}
	}
	b1, b2, eps := o.Beta1, o.Beta2, o.Eps
	if b1 == 0 {
		b1 = 0.9
	}
	if b2 == 0 {
		b2 = 0.999
	}
	if eps == 0 {
		eps = 1e-8
	}
	return update(p, g, func(pv, gv []float64) {
		m, v := o.m[name], o.v[name]
		if m == nil {
			m, v = make([]float64, len(pv)), make([]float64, len(pv))
			o.m[name], o.v[name] = m, v
		}
		o.t[name]++
		t := float64(o.t[name])
		c1 := 1 - math.Pow(b1, t)
		c2 := 1 - math.Pow(b2, t)
		for i := range pv {
			gi := gv[i]
			if o.WeightDecay != 0 {
				if o.Decoupled {
					pv[i] -= lr * o.WeightDecay * pv[i]
				} else {
					gi += o.WeightDecay * pv[i]
				}
			}
			m[i] = b1*m[i] + (1-b1)*gi
			v[i] = b2*v[i] + (1-b2)*gi*gi
			pv[i] -= lr * (m[i] / c1) / (math.Sqrt(v[i]/c2) + eps)
		}
	})
}

// update runs f on float64 views of p and g and writes p back in place.
func update(p, g *tensor.Tensor, f func(pv, gv []float64)) error {
	if !tensor.SameShape(p.Shape(), g.Shape()) {
		return fmt.Errorf("gradient %v does not match parameter %v: %w", g.Shape(), p.Shape(), tensor.ErrShape)
	}
	switch p.DType() {
	case tensor.Float64:
		gv, err := tensor.Float64s(g)
		if err != nil {
			return err
		}
		f(tensor.Data[float64](p), gv)
	case tensor.Float32:
		pd := tensor.Data[float32](p)
		pv := make([]float64, len(pd))
		for i, v := range pd {
			pv[i] = float64(v)
		}
		gv, err := tensor.Float64s(g)
		if err != nil {
			return err
		}
		f(pv, gv)
		for i, v := range pv {
			pd[i] = float32(v)
		}
	default:
		return fmt.Errorf("cannot train a %v parameter: %w", p.DType(), tensor.ErrDType)
	}
	return nil
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

// StepDecay multiplies the rate by gamma every `every` steps.
func StepDecay(every int, gamma float64) Schedule {
	return func(step int) float64 {
		if every <= 0 {
			return 1
		}
		return math.Pow(gamma, float64(step/every))
	}
}

// Cosine anneals the rate from 1 to minRatio over total steps.
func Cosine(total int, minRatio float64) Schedule {
	return func(step int) float64 {
		if total <= 0 || step >= total {
			return minRatio
		}
		return minRatio + (1-minRatio)*0.5*(1+math.Cos(math.Pi*float64(step)/float64(total)))
	}
}

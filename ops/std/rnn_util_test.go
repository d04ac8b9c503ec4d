package std

import (
	"math"
	"math/rand"
	"testing"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// A slow reference of the recurrent ops, written per sequence and per
// element straight from the ONNX equations.

// refActs maps activation names to functions of (x, alpha, beta).
var refActs = map[string]func(x, a, b float64) float64{
	"Sigmoid":         func(x, _, _ float64) float64 { return 1 / (1 + math.Exp(-x)) },
	"Tanh":            func(x, _, _ float64) float64 { return math.Tanh(x) },
	"Relu":            func(x, _, _ float64) float64 { return math.Max(x, 0) },
	"Affine":          func(x, a, b float64) float64 { return a*x + b },
	"LeakyRelu":       func(x, a, _ float64) float64 { return map[bool]float64{true: x, false: a * x}[x >= 0] },
	"ThresholdedRelu": func(x, a, _ float64) float64 { return map[bool]float64{true: x, false: 0}[x >= a] },
	"ScaledTanh":      func(x, a, b float64) float64 { return a * math.Tanh(b*x) },
	"HardSigmoid":     func(x, a, b float64) float64 { return math.Min(math.Max(a*x+b, 0), 1) },
	"Elu":             func(x, a, _ float64) float64 { return map[bool]float64{true: x, false: a * (math.Exp(x) - 1)}[x >= 0] },
	"Softsign":        func(x, _, _ float64) float64 { return x / (1 + math.Abs(x)) },
	"Softplus":        func(x, _, _ float64) float64 { return math.Log(1 + math.Exp(x)) },
}

// f32v rounds v to float32, as a float attribute holds it.
func f32v(v float64) float64 { return float64(float32(v)) }

// refAct is an activation bound to its parameters.
type refAct func(float64) float64

func bindAct(name string, a, b float64) refAct {
	f := refActs[name]
	return func(x float64) float64 { return f(x, a, b) }
}

// refRNNSpec is one recurrent computation in layout 0.
type refRNNSpec struct {
	cell                  int // cellRNN, cellGRU, cellLSTM
	seq, batch, in, hid   int
	dirs                  int
	reverse               bool
	x, w, r, b, h0, c0, p []float64 // b, h0, c0, p may be nil
	lens                  []int     // nil: full
	acts                  []refAct  // per direction
	clip                  float64
	lbr, coupleIF         bool
}

// run returns Y (seq, dirs, batch, H), Y_h and Y_c (dirs, batch, H).
func (s *refRNNSpec) run() (y, yh, yc []float64) {
	H, G := s.hid, s.cell
	y = make([]float64, s.seq*s.dirs*s.batch*H)
	yh = make([]float64, s.dirs*s.batch*H)
	yc = make([]float64, s.dirs*s.batch*H)
	nact := len(s.acts) / s.dirs
	clip := func(v float64) float64 {
		if s.clip > 0 {
			return math.Max(-s.clip, math.Min(s.clip, v))
		}
		return v
	}
	for d := 0; d < s.dirs; d++ {
		act := s.acts[d*nact : (d+1)*nact]
		// wx(g, t, b, j) = X[t,b]·W[d, g*H+j] + Wb; rh(g, h, j) = h·R[d, g*H+j] + Rb.
		wx := func(g, t, b, j int) float64 {
			v := 0.0
			for k := 0; k < s.in; k++ {
				v += s.x[(t*s.batch+b)*s.in+k] * s.w[((d*G+g)*H+j)*s.in+k]
			}
			if s.b != nil {
				v += s.b[d*2*G*H+g*H+j]
			}
			return v
		}
		rh := func(g int, h []float64, j int) float64 {
			v := 0.0
			for k := 0; k < H; k++ {
				v += h[k] * s.r[((d*G+g)*H+j)*H+k]
			}
			if s.b != nil {
				v += s.b[d*2*G*H+G*H+g*H+j]
			}
			return v
		}
		for b := 0; b < s.batch; b++ {
			n := s.seq
			if s.lens != nil {
				n = s.lens[b]
			}
			h := make([]float64, H)
			c := make([]float64, H)
			if s.h0 != nil {
				copy(h, s.h0[(d*s.batch+b)*H:])
			}
			if s.c0 != nil {
				copy(c, s.c0[(d*s.batch+b)*H:])
			}
			for step := 0; step < n; step++ {
				t := step
				if s.reverse || d == 1 {
					t = n - 1 - step
				}
				nh := make([]float64, H)
				switch s.cell {
				case cellRNN:
					for j := range nh {
						nh[j] = act[0](clip(wx(0, t, b, j) + rh(0, h, j)))
					}
				case cellGRU:
					z, r := make([]float64, H), make([]float64, H)
					for j := 0; j < H; j++ {
						z[j] = act[0](clip(wx(0, t, b, j) + rh(0, h, j)))
						r[j] = act[0](clip(wx(1, t, b, j) + rh(1, h, j)))
					}
					rhv := make([]float64, H)
					for k := range rhv {
						rhv[k] = r[k] * h[k]
					}
					for j := 0; j < H; j++ {
						var hh float64
						if s.lbr {
							hh = wx(2, t, b, j) + r[j]*rh(2, h, j)
						} else {
							hh = wx(2, t, b, j) + rh(2, rhv, j)
						}
						hh = act[1](clip(hh))
						nh[j] = (1-z[j])*hh + z[j]*h[j]
					}
				case cellLSTM:
					nc := make([]float64, H)
					peep := func(g, j int) float64 {
						if s.p == nil {
							return 0
						}
						return s.p[d*3*H+g*H+j]
					}
					for j := 0; j < H; j++ {
						i := act[0](clip(wx(0, t, b, j) + rh(0, h, j) + peep(0, j)*c[j]))
						f := act[0](clip(wx(2, t, b, j) + rh(2, h, j) + peep(2, j)*c[j]))
						if s.coupleIF {
							f = 1 - i
						}
						g := act[1](clip(wx(3, t, b, j) + rh(3, h, j)))
						nc[j] = f*c[j] + i*g
						o := act[0](clip(wx(1, t, b, j) + rh(1, h, j) + peep(1, j)*nc[j]))
						nh[j] = o * act[2](nc[j])
					}
					c = nc
				}
				h = nh
				copy(y[((t*s.dirs+d)*s.batch+b)*H:], h)
			}
			copy(yh[(d*s.batch+b)*H:], h)
			copy(yc[(d*s.batch+b)*H:], c)
		}
	}
	return y, yh, yc
}

// rnnTestCase builds random inputs for spec (filling x, w, r and, when
// asked, b, h0, c0, p) and the matching node inputs in layout 0.
func rnnTestCase(rng *rand.Rand, s *refRNNSpec, bias, init, peep bool) []*tensor.Tensor {
	G, H := s.cell, s.hid
	mk := func(shape ...int) (*tensor.Tensor, []float64) {
		t := randF64(rng, -1, 1, shape...)
		return t, tensor.Data[float64](t)
	}
	var x, w, r, b, h0, c0, p *tensor.Tensor
	x, s.x = mk(s.seq, s.batch, s.in)
	w, s.w = mk(s.dirs, G*H, s.in)
	r, s.r = mk(s.dirs, G*H, H)
	if bias {
		b, s.b = mk(s.dirs, 2*G*H)
	}
	if init {
		h0, s.h0 = mk(s.dirs, s.batch, H)
		if s.cell == cellLSTM {
			c0, s.c0 = mk(s.dirs, s.batch, H)
		}
	}
	var lens *tensor.Tensor
	if s.lens != nil {
		l := make([]int32, len(s.lens))
		for i, v := range s.lens {
			l[i] = int32(v)
		}
		lens = tensor.MustFromSlice([]int{len(l)}, l)
	}
	in := []*tensor.Tensor{x, w, r, b, lens, h0}
	if s.cell == cellLSTM {
		if peep {
			p, s.p = mk(s.dirs, 3*H)
		}
		in = append(in, c0, p)
	}
	for len(in) > 3 && in[len(in)-1] == nil {
		in = in[:len(in)-1]
	}
	return in
}

// checkRecurrent runs op and compares every output with the reference.
func checkRecurrent(t *testing.T, op string, version int, attrs []runtime.Attribute, s *refRNNSpec, in []*tensor.Tensor, tol float64) {
	t.Helper()
	nout := 2
	if s.cell == cellLSTM {
		nout = 3
	}
	y, yh, yc := s.run()
	out := runOp(t, op, version, attrs, nout, in...)
	assertClose(t, out[0], normF64([]int{s.seq, s.dirs, s.batch, s.hid}, y), tol, tol)
	assertClose(t, out[1], normF64([]int{s.dirs, s.batch, s.hid}, yh), tol, tol)
	if nout == 3 {
		assertClose(t, out[2], normF64([]int{s.dirs, s.batch, s.hid}, yc), tol, tol)
	}
}

// toLayout1 converts layout-0 inputs to layout 1 (batch-major X and
// states).
func toLayout1(in []*tensor.Tensor) []*tensor.Tensor {
	out := append([]*tensor.Tensor(nil), in...)
	for _, i := range []int{0, 5, 6} {
		if i >= len(in) || in[i] == nil {
			continue
		}
		sh := in[i].Shape()
		d := rnnSwap01(tensor.Data[float64](in[i]), sh[0], sh[1], sh[2])
		out[i] = tensor.MustFromSlice([]int{sh[1], sh[0], sh[2]}, d)
	}
	return out
}

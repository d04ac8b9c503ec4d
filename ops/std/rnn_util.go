package std

import (
	"math"
	"strings"

	"github.com/optnet-go/optnet/internal/gemm"
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// Machinery shared by the recurrent ops RNN, GRU and LSTM: attribute
// parsing (direction, activations with their alpha/beta, clip, layout),
// input validation, and one driver that runs a direction over time. The
// input projections X·Wᵀ of all time steps are one matrix multiply; each
// step multiplies the previous hidden state by Rᵀ (internal/gemm), then the
// op's cell function updates the state row by row.

// Recurrent cell kinds (the number of gates of each).
const (
	cellRNN  = 1
	cellGRU  = 3
	cellLSTM = 4
)

// rnnAct is one activation function with its parameters.
type rnnAct struct {
	name        string
	alpha, beta float64
}

// rnnActInfo lists the activations and the default alpha/beta of those
// that take them.
var rnnActInfo = map[string]struct {
	alpha, beta         float64
	usesAlpha, usesBeta bool
}{
	"relu":            {},
	"tanh":            {},
	"sigmoid":         {},
	"softsign":        {},
	"softplus":        {},
	"affine":          {alpha: 1, beta: 0, usesAlpha: true, usesBeta: true},
	"leakyrelu":       {alpha: 0.01, usesAlpha: true},
	"thresholdedrelu": {alpha: 1, usesAlpha: true},
	"scaledtanh":      {alpha: 1, beta: 1, usesAlpha: true, usesBeta: true},
	"hardsigmoid":     {alpha: 0.2, beta: 0.5, usesAlpha: true, usesBeta: true},
	"elu":             {alpha: 1, usesAlpha: true},
}

// apply applies the activation to v in place.
func rnnApply[T tensor.Float](a *rnnAct, v []T) {
	al, be := T(a.alpha), T(a.beta)
	switch a.name {
	case "sigmoid":
		for i, x := range v {
			v[i] = rnnSigmoid(x)
		}
	case "tanh":
		for i, x := range v {
			v[i] = T(math.Tanh(float64(x)))
		}
	case "relu":
		for i, x := range v {
			v[i] = max(x, 0)
		}
	case "affine":
		for i, x := range v {
			v[i] = al*x + be
		}
	case "leakyrelu":
		for i, x := range v {
			if x < 0 {
				v[i] = al * x
			}
		}
	case "thresholdedrelu":
		for i, x := range v {
			if x < al {
				v[i] = 0
			}
		}
	case "scaledtanh":
		for i, x := range v {
			v[i] = al * T(math.Tanh(float64(be*x)))
		}
	case "hardsigmoid":
		for i, x := range v {
			v[i] = min(max(al*x+be, 0), 1)
		}
	case "elu":
		for i, x := range v {
			if x < 0 {
				v[i] = al * T(math.Expm1(float64(x)))
			}
		}
	case "softsign":
		for i, x := range v {
			v[i] = x / (1 + T(math.Abs(float64(x))))
		}
	case "softplus":
		for i, x := range v {
			v[i] = T(rnnSoftplus(float64(x)))
		}
	}
}

func rnnSigmoid[T tensor.Float](x T) T {
	if x >= 0 {
		return 1 / (1 + T(math.Exp(-float64(x))))
	}
	e := T(math.Exp(float64(x)))
	return e / (1 + e)
}

func rnnSoftplus(x float64) float64 {
	if x > 30 {
		return x
	}
	return math.Log1p(math.Exp(x))
}

// rnnConfig is what the attributes of a recurrent node say.
type rnnConfig struct {
	name     string
	cell     int // cellRNN, cellGRU or cellLSTM (its gate count)
	hidden   int // 0: take it from R
	dirs     int
	reverse  bool // direction "reverse" (dirs == 1)
	acts     []rnnAct
	nacts    int // activations per direction
	clip     float64
	layout   int
	lbr      bool // GRU linear_before_reset
	coupleIF bool // LSTM input_forget
}

// buildRNNConfig reads the attributes common to RNN, GRU and LSTM;
// defActs are the default activations of one direction.
func buildRNNConfig(b *runtime.BuildContext, name string, cell int, defActs []string) (*rnnConfig, error) {
	if err := normRequired(b, name, 3); err != nil {
		return nil, err
	}
	c := &rnnConfig{name: name, cell: cell, hidden: int(b.Int("hidden_size", 0)), nacts: len(defActs)}
	switch d := b.String("direction", "forward"); d {
	case "forward":
		c.dirs = 1
	case "reverse":
		c.dirs, c.reverse = 1, true
	case "bidirectional":
		c.dirs = 2
	default:
		return nil, b.Errorf("%s: unknown direction %q", name, d)
	}
	if c.hidden < 0 {
		return nil, b.Errorf("%s: negative hidden_size %d", name, c.hidden)
	}
	if b.HasAttr("clip") {
		c.clip = float64(b.Float("clip", 0))
		if !(c.clip > 0) {
			return nil, b.Errorf("%s: clip must be positive, got %v", name, c.clip)
		}
	}
	if b.Version >= 14 {
		c.layout = int(b.Int("layout", 0))
		if c.layout != 0 && c.layout != 1 {
			return nil, b.Errorf("%s: layout must be 0 or 1, got %d", name, c.layout)
		}
	}
	names := b.Strings("activations", nil)
	if names == nil {
		for i := 0; i < c.dirs; i++ {
			names = append(names, defActs...)
		}
	}
	if len(names) == c.nacts && c.dirs == 2 {
		names = append(append([]string(nil), names...), names...)
	}
	if len(names) != c.nacts*c.dirs {
		return nil, b.Errorf("%s: %d activations given, want %d", name, len(names), c.nacts*c.dirs)
	}
	alphas, betas := b.Floats("activation_alpha", nil), b.Floats("activation_beta", nil)
	for _, n := range names {
		ln := strings.ToLower(n)
		info, ok := rnnActInfo[ln]
		if !ok {
			return nil, b.Errorf("%s: unknown activation %q", name, n)
		}
		a := rnnAct{name: ln, alpha: info.alpha, beta: info.beta}
		if info.usesAlpha && len(alphas) > 0 {
			a.alpha, alphas = float64(alphas[0]), alphas[1:]
		}
		if info.usesBeta && len(betas) > 0 {
			a.beta, betas = float64(betas[0]), betas[1:]
		}
		c.acts = append(c.acts, a)
	}
	return c, b.Err()
}

// rnnData is a validated set of inputs, in layout 0 and the compute type
// T: x (seq, batch, in), w (dirs, G·H, in), r (dirs, G·H, H),
// bias (dirs, 2·G·H) or nil, h0 and c0 (dirs, batch, H) or nil,
// p (dirs, 3·H) or nil, lens (batch).
type rnnData[T tensor.Float] struct {
	seq, batch, in, hid int
	x, w, r, bias       []T
	h0, c0, p           []T
	lens                []int
}

// rnnInputs validates the node's inputs and returns them widened (16-bit
// floats to float32) with the compute dtype.
func (c *rnnConfig) inputs(in []*tensor.Tensor) (seq, batch, inSize, hid int, lens []int, t []*tensor.Tensor, err error) {
	x, w, r := in[0], in[1], in[2]
	fail := func(format string, args ...any) error { return errShape(c.name+": "+format, args...) }
	if x.Rank() != 3 || w.Rank() != 3 || r.Rank() != 3 {
		return 0, 0, 0, 0, nil, nil, fail("X %v, W %v and R %v must have rank 3", x.Shape(), w.Shape(), r.Shape())
	}
	seq, batch, inSize = x.Dim(0), x.Dim(1), x.Dim(2)
	if c.layout == 1 {
		seq, batch = batch, seq
	}
	hid = r.Dim(2)
	if c.hidden > 0 && c.hidden != hid {
		return 0, 0, 0, 0, nil, nil, fail("hidden_size %d but R is %v", c.hidden, r.Shape())
	}
	g := c.cell
	if !tensor.SameShape(w.Shape(), []int{c.dirs, g * hid, inSize}) || !tensor.SameShape(r.Shape(), []int{c.dirs, g * hid, hid}) {
		return 0, 0, 0, 0, nil, nil, fail("W %v and R %v do not fit X %v with %d direction(s) and hidden size %d", w.Shape(), r.Shape(), x.Shape(), c.dirs, hid)
	}
	stateShape := []int{c.dirs, batch, hid}
	if c.layout == 1 {
		stateShape = []int{batch, c.dirs, hid}
	}
	want := map[int][]int{3: {c.dirs, 2 * g * hid}, 5: stateShape, 6: stateShape, 7: {c.dirs, 3 * hid}}
	for i := 3; i < len(in); i++ {
		if in[i] == nil || i == 4 {
			continue
		}
		if !tensor.SameShape(in[i].Shape(), want[i]) {
			return 0, 0, 0, 0, nil, nil, fail("input %d has shape %v, want %v", i, in[i].Shape(), want[i])
		}
	}
	floats := []*tensor.Tensor{x, w, r}
	for i := 3; i < len(in); i++ {
		if i != 4 {
			floats = append(floats, in[i])
		}
	}
	if err := sameDTypes(floats); err != nil {
		return 0, 0, 0, 0, nil, nil, err
	}
	lens = make([]int, batch)
	for i := range lens {
		lens[i] = seq
	}
	if sl := normOpt(in, 4); sl != nil {
		if !sl.DType().IsInt() {
			return 0, 0, 0, 0, nil, nil, errDType("%s: sequence_lens must be integers, got %v", c.name, sl.DType())
		}
		if !tensor.SameShape(sl.Shape(), []int{batch}) {
			return 0, 0, 0, 0, nil, nil, fail("sequence_lens has shape %v, want (%d)", sl.Shape(), batch)
		}
		v, _ := tensor.Int64s(sl)
		for i, l := range v {
			if l < 0 || l > int64(seq) {
				return 0, 0, 0, 0, nil, nil, fail("sequence length %d out of range [0, %d]", l, seq)
			}
			lens[i] = int(l)
		}
	}
	t = make([]*tensor.Tensor, 8)
	for i := 0; i < len(in) && i < 8; i++ {
		if in[i] == nil || i == 4 {
			continue
		}
		if t[i], err = normWiden(c.name, in[i]); err != nil {
			return 0, 0, 0, 0, nil, nil, err
		}
	}
	return seq, batch, inSize, hid, lens, t, nil
}

// rnnSwap01 returns data of shape (a, b, rest) transposed to (b, a, rest).
func rnnSwap01[T tensor.Float](data []T, a, b, rest int) []T {
	out := make([]T, len(data))
	for i := 0; i < a; i++ {
		for j := 0; j < b; j++ {
			copy(out[(j*a+i)*rest:(j*a+i+1)*rest], data[(i*b+j)*rest:(i*b+j+1)*rest])
		}
	}
	return out
}

// rnnMulT computes c (m×n) = a (m×k, leading dim lda) · bᵀ where b is n×k
// (leading dim ldb).
func rnnMulT[T tensor.Float](m, n, k int, a []T, lda int, b []T, ldb int, c []T) {
	if m == 0 || n == 0 {
		return
	}
	if k == 0 {
		clear(c[:m*n])
		return
	}
	switch av := any(a).(type) {
	case []float32:
		gemm.Sgemm(false, true, m, n, k, 1, av, lda, any(b).([]float32), ldb, 0, any(c).([]float32), n)
	case []float64:
		gemm.Dgemm(false, true, m, n, k, 1, av, lda, any(b).([]float64), ldb, 0, any(c).([]float64), n)
	}
}

// rnnRun computes every direction. It returns Y (seq, dirs, batch, H),
// Y_h and Y_c (dirs, batch, H), in layout 0.
func rnnRun[T tensor.Float](rc *runtime.RunContext, c *rnnConfig, d *rnnData[T]) (y, yh, yc []T, err error) {
	seq, batch, hid, g := d.seq, d.batch, d.hid, c.cell
	gh := g * hid
	y = make([]T, seq*c.dirs*batch*hid)
	yh = make([]T, c.dirs*batch*hid)
	if c.cell == cellLSTM {
		yc = make([]T, c.dirs*batch*hid)
	}
	xw := make([]T, seq*batch*gh)
	hr := make([]T, batch*gh)
	pre := make([]T, gh)
	var rh []T // GRU (linear_before_reset = 0): (r ⊙ H) and its product
	if c.cell == cellGRU && !c.lbr {
		rh = make([]T, 2*batch*hid)
	}
	for dir := 0; dir < c.dirs; dir++ {
		rev := c.reverse || dir == 1
		w := d.w[dir*gh*d.in : (dir+1)*gh*d.in]
		r := d.r[dir*gh*hid : (dir+1)*gh*hid]
		acts := c.acts[dir*c.nacts : (dir+1)*c.nacts]
		// Input projections of every step, with the biases that can be
		// added up front: Wb always, Rb except the GRU hidden gate's
		// when linear_before_reset (it sits inside r ⊙ (…)).
		rnnMulT(seq*batch, gh, d.in, d.x, max(d.in, 1), w, max(d.in, 1), xw)
		var rbh []T
		if d.bias != nil {
			bias := d.bias[dir*2*gh : (dir+1)*2*gh]
			fold := make([]T, gh)
			for j := range fold {
				fold[j] = bias[j] + bias[gh+j]
			}
			if c.cell == cellGRU && c.lbr {
				rbh = bias[gh+2*hid : gh+3*hid]
				for j := 2 * hid; j < 3*hid; j++ {
					fold[j] = bias[j]
				}
			}
			for row := 0; row < seq*batch; row++ {
				dst := xw[row*gh : (row+1)*gh]
				for j, v := range fold {
					dst[j] += v
				}
			}
		}
		var peep []T
		if d.p != nil {
			peep = d.p[dir*3*hid : (dir+1)*3*hid]
		}
		h := make([]T, batch*hid)
		if d.h0 != nil {
			copy(h, d.h0[dir*batch*hid:(dir+1)*batch*hid])
		}
		var cs []T
		if c.cell == cellLSTM {
			cs = make([]T, batch*hid)
			if d.c0 != nil {
				copy(cs, d.c0[dir*batch*hid:(dir+1)*batch*hid])
			}
		}
		for s := 0; s < seq; s++ {
			if s%16 == 0 {
				if err := rc.Err(); err != nil {
					return nil, nil, nil, err
				}
			}
			// The GRU without linear_before_reset needs the reset gate
			// before multiplying by Rh, so only z and r go through here.
			ncols := gh
			if rh != nil {
				ncols = 2 * hid
			}
			rnnMulT(batch, ncols, hid, h, hid, r, hid, hr[:batch*ncols])
			if rh != nil {
				// r for every active row, then (r ⊙ H)·Rhᵀ.
				rs, prod := rh[:batch*hid], rh[batch*hid:]
				for b := 0; b < batch; b++ {
					t, ok := rnnTime(s, d.lens[b], rev)
					if !ok {
						clear(rs[b*hid : (b+1)*hid])
						continue
					}
					rg := pre[:hid]
					xr := xw[(t*batch+b)*gh+hid : (t*batch+b)*gh+2*hid]
					hrr := hr[b*ncols+hid : b*ncols+2*hid]
					for j := range rg {
						rg[j] = xr[j] + hrr[j]
					}
					rnnClip(rg, c.clip)
					rnnApply(&acts[0], rg)
					hb := h[b*hid : (b+1)*hid]
					for j := range rg {
						rs[b*hid+j] = rg[j] * hb[j]
					}
				}
				rnnMulT(batch, hid, hid, rs, hid, r[2*hid*hid:], hid, prod)
			}
			for b := 0; b < batch; b++ {
				t, ok := rnnTime(s, d.lens[b], rev)
				if !ok {
					continue
				}
				xrow := xw[(t*batch+b)*gh : (t*batch+b+1)*gh]
				hrow := hr[b*ncols : (b+1)*ncols]
				hb := h[b*hid : (b+1)*hid]
				switch c.cell {
				case cellRNN:
					rnnCell(c, acts, xrow, hrow, hb, pre)
				case cellGRU:
					var prod []T
					if rh != nil {
						prod = rh[batch*hid+b*hid : batch*hid+(b+1)*hid]
					}
					gruCell(c, acts, xrow, hrow, prod, rbh, hb, pre)
				case cellLSTM:
					lstmCell(c, acts, xrow, hrow, peep, hb, cs[b*hid:(b+1)*hid], pre)
				}
				copy(y[((t*c.dirs+dir)*batch+b)*hid:], hb)
			}
		}
		copy(yh[dir*batch*hid:], h)
		if cs != nil {
			copy(yc[dir*batch*hid:], cs)
		}
	}
	return y, yh, yc, nil
}

// rnnTime returns the time index step s reaches for a sequence of length
// n (forward: s, reverse: n-1-s) and whether it is within the sequence.
func rnnTime(s, n int, rev bool) (int, bool) {
	if s >= n {
		return 0, false
	}
	if rev {
		return n - 1 - s, true
	}
	return s, true
}

// rnnClip bounds v to [-clip, clip] (clip 0: no bound).
func rnnClip[T tensor.Float](v []T, clip float64) {
	if clip == 0 {
		return
	}
	cl := T(clip)
	for i, x := range v {
		v[i] = min(max(x, -cl), cl)
	}
}

// runRecurrent is the Run of RNN, GRU and LSTM.
func (c *rnnConfig) run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	seq, batch, inSize, hid, lens, t, err := c.inputs(in)
	if err != nil {
		return nil, err
	}
	var outs [3]*tensor.Tensor
	switch t[0].DType() {
	case tensor.Float32:
		outs, err = rnnTyped[float32](rc, c, seq, batch, inSize, hid, lens, t)
	case tensor.Float64:
		outs, err = rnnTyped[float64](rc, c, seq, batch, inSize, hid, lens, t)
	}
	if err != nil {
		return nil, err
	}
	res := make([]*tensor.Tensor, 0, 3)
	n := 2
	if c.cell == cellLSTM {
		n = 3
	}
	for _, o := range outs[:n] {
		r, err := tensor.Convert(o, in[0].DType())
		if err != nil {
			return nil, err
		}
		res = append(res, r)
	}
	return res, nil
}

func rnnTyped[T tensor.Float](rc *runtime.RunContext, c *rnnConfig, seq, batch, inSize, hid int, lens []int, t []*tensor.Tensor) ([3]*tensor.Tensor, error) {
	get := func(i int) []T {
		if t[i] == nil {
			return nil
		}
		return tensor.Data[T](t[i])
	}
	d := &rnnData[T]{seq: seq, batch: batch, in: inSize, hid: hid, x: get(0), w: get(1), r: get(2),
		bias: get(3), h0: get(5), c0: get(6), p: get(7), lens: lens}
	if c.layout == 1 {
		d.x = rnnSwap01(d.x, batch, seq, inSize)
		if d.h0 != nil {
			d.h0 = rnnSwap01(d.h0, batch, c.dirs, hid)
		}
		if d.c0 != nil {
			d.c0 = rnnSwap01(d.c0, batch, c.dirs, hid)
		}
	}
	y, yh, yc, err := rnnRun(rc, c, d)
	if err != nil {
		return [3]*tensor.Tensor{}, err
	}
	var out [3]*tensor.Tensor
	if c.layout == 1 {
		// (seq, dirs, batch, H) → (batch, seq, dirs, H); states
		// (dirs, batch, H) → (batch, dirs, H).
		y = rnnSwap01(y, seq*c.dirs, batch, hid)
		out[0] = tensor.MustFromSlice([]int{batch, seq, c.dirs, hid}, y)
		out[1] = tensor.MustFromSlice([]int{batch, c.dirs, hid}, rnnSwap01(yh, c.dirs, batch, hid))
		if yc != nil {
			out[2] = tensor.MustFromSlice([]int{batch, c.dirs, hid}, rnnSwap01(yc, c.dirs, batch, hid))
		}
		return out, nil
	}
	out[0] = tensor.MustFromSlice([]int{seq, c.dirs, batch, hid}, y)
	out[1] = tensor.MustFromSlice([]int{c.dirs, batch, hid}, yh)
	if yc != nil {
		out[2] = tensor.MustFromSlice([]int{c.dirs, batch, hid}, yc)
	}
	return out, nil
}

// inferShapes predicts Y, Y_h (and Y_c) from the inputs' facts.
func (c *rnnConfig) inferShapes(in []runtime.Fact) ([]runtime.Fact, error) {
	x, r := in[0], in[2]
	dt := x.DType
	n := 2
	if c.cell == cellLSTM {
		n = 3
	}
	out := make([]runtime.Fact, n)
	for i := range out {
		out[i].DType = dt
	}
	if x.Rank() != 3 || r.Rank() != 3 {
		return out, nil
	}
	seq, batch, hid := x.Shape[0], x.Shape[1], r.Shape[2]
	if c.layout == 1 {
		seq, batch = batch, seq
		out[0].Shape = []int{batch, seq, c.dirs, hid}
	} else {
		out[0].Shape = []int{seq, c.dirs, batch, hid}
	}
	out[0].HasShape = true
	for i := 1; i < n; i++ {
		if c.layout == 1 {
			out[i].Shape = []int{batch, c.dirs, hid}
		} else {
			out[i].Shape = []int{c.dirs, batch, hid}
		}
		out[i].HasShape = true
	}
	return out, nil
}

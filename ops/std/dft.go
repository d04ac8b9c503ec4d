package std

import (
	"github.com/optnet-go/optnet/internal/parallel"
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// DFT: the discrete Fourier transform along one axis (default 1) of a
// real ([..., 1]) or complex ([..., 2], real and imaginary parts) signal,
// giving a complex [..., 2] result. The optional dft_length input pads
// with zeros or truncates the signal; inverse computes the inverse
// transform (scaled by 1/n); onesided keeps the n/2+1 non-redundant bins
// of a real signal's transform. Introduced in opset 17 (opset 20 moved the
// axis to an input; not implemented). Negative axes count from the end of
// the input, as opset 20 defines; the last (complex) dim cannot be
// transformed.

func init() {
	register(&runtime.Op{Type: "DFT", Since: 17, Inputs: [2]int{1, 2}, Outputs: [2]int{1, 1}, Build: buildDFT})
}

type dftKernel struct {
	axis              int64
	inverse, onesided bool
}

func buildDFT(b *runtime.BuildContext) (runtime.Kernel, error) {
	k := &dftKernel{axis: b.Int("axis", 1), inverse: b.Int("inverse", 0) != 0, onesided: b.Int("onesided", 0) != 0}
	if k.inverse && k.onesided {
		return nil, b.Errorf("DFT: inverse with onesided is not supported")
	}
	return k, b.Err()
}

func (k *dftKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	x := in[0]
	r := x.Rank()
	if r < 2 || (x.Dim(-1) != 1 && x.Dim(-1) != 2) {
		return nil, errShape("DFT input must end in a dim of 1 (real) or 2 (complex), got %v", x.Shape())
	}
	ax := int(k.axis)
	if ax < 0 {
		ax += r
	}
	if ax < 0 || ax > r-2 {
		return nil, errShape("DFT axis %d out of range for shape %v", k.axis, x.Shape())
	}
	complexIn := x.Dim(-1) == 2
	if k.onesided && complexIn {
		return nil, errShape("DFT onesided needs a real signal")
	}
	n := x.Dim(ax)
	if t := sigOptInput(in, 1); t != nil {
		v, err := sigScalarInt(t, "DFT dft_length")
		if err != nil {
			return nil, err
		}
		if v < 1 || v > 1<<40 {
			return nil, errShape("DFT dft_length %d", v)
		}
		n = int(v)
	}
	if n < 1 {
		return nil, errShape("DFT of length 0")
	}
	if !x.DType().IsFloat() {
		return nil, errDType("DFT does not support %v", x.DType())
	}
	nout := n
	if k.onesided {
		nout = n/2 + 1
	}
	shape := append([]int{}, x.Shape()...)
	shape[ax], shape[r-1] = nout, 2
	if err := rc.CheckSize(tensor.Float64, shape); err != nil {
		return nil, err
	}
	// Bluestein's scratch is up to 4n complex values per worker.
	if err := rc.CheckSize(tensor.Float64, []int{8 * n * parallel.Workers()}); err != nil {
		return nil, err
	}
	xd, _ := tensor.Float64s(x)
	outer, inner := 1, 1
	for _, d := range shape[:ax] {
		outer *= d
	}
	for _, d := range shape[ax+1 : r-1] {
		inner *= d
	}
	out := make([]float64, tensor.NumElements(shape))
	dftLines(xd, out, outer, inner, x.Dim(ax), n, nout, complexIn, newFFTPlan(n, k.inverse), k.inverse)
	res, err := tensor.FromSlice(shape, out)
	if err != nil {
		return nil, err
	}
	return out1(tensor.Convert(res, x.DType()))
}

// dftLines transforms every line along the axis: the input is
// [outer, L, inner, c] (c = 2 when complexIn, else 1), the output
// [outer, nout, inner, 2]; each line is truncated or zero-padded to n.
func dftLines(x, out []float64, outer, inner, L, n, nout int, complexIn bool, p *fftPlan, inverse bool) {
	c := 1
	if complexIn {
		c = 2
	}
	scale := 1.0
	if inverse {
		scale = 1 / float64(n)
	}
	parallel.For(outer*inner, max(1, 4096/n), func(lo, hi int) {
		buf := make([]complex128, n)
		work := make([]complex128, p.workLen())
		for line := lo; line < hi; line++ {
			o, i := line/inner, line%inner
			clear(buf)
			for j := 0; j < min(L, n); j++ {
				at := ((o*L+j)*inner + i) * c
				if complexIn {
					buf[j] = complex(x[at], x[at+1])
				} else {
					buf[j] = complex(x[at], 0)
				}
			}
			p.transform(buf, work)
			for kk := 0; kk < nout; kk++ {
				at := ((o*nout+kk)*inner + i) * 2
				out[at], out[at+1] = real(buf[kk])*scale, imag(buf[kk])*scale
			}
		}
	})
}

package std

import (
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// STFT: the short-time Fourier transform of a [batch, length, 1 | 2]
// (real | complex) signal: frames of frame_length samples every
// frame_step samples, each multiplied by the window (default: all ones)
// and transformed; output [batch, frames, bins, 2] with bins =
// frame_length/2+1 when onesided (default, real signals only), else
// frame_length. frames = (length - frame_length)/frame_step + 1. The frame
// length comes from the frame_length input or, when omitted, the window's
// length. Introduced in opset 17.

func init() {
	register(&runtime.Op{Type: "STFT", Since: 17, Inputs: [2]int{2, 4}, Outputs: [2]int{1, 1}, Build: buildSTFT})
}

type stftKernel struct{ onesided bool }

func buildSTFT(b *runtime.BuildContext) (runtime.Kernel, error) {
	return &stftKernel{onesided: b.Int("onesided", 1) != 0}, b.Err()
}

func (k *stftKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	sig := in[0]
	if sig.Rank() != 3 || (sig.Dim(2) != 1 && sig.Dim(2) != 2) {
		return nil, errShape("STFT signal must be [batch, length, 1 or 2], got %v", sig.Shape())
	}
	if !sig.DType().IsFloat() {
		return nil, errDType("STFT does not support %v", sig.DType())
	}
	complexIn := sig.Dim(2) == 2
	if k.onesided && complexIn {
		return nil, errShape("STFT onesided needs a real signal")
	}
	step, err := sigScalarInt(in[1], "STFT frame_step")
	if err != nil {
		return nil, err
	}
	if step < 1 {
		return nil, errShape("STFT frame_step %d must be positive", step)
	}
	win := sigOptInput(in, 2)
	flen := int64(-1)
	if t := sigOptInput(in, 3); t != nil {
		if flen, err = sigScalarInt(t, "STFT frame_length"); err != nil {
			return nil, err
		}
	}
	var w []float64
	if win != nil {
		if win.Rank() != 1 || !win.DType().IsFloat() {
			return nil, errShape("STFT window must be a float vector, got %v", win)
		}
		if flen >= 0 && int64(win.Dim(0)) != flen {
			return nil, errShape("STFT window of %d samples for frame_length %d", win.Dim(0), flen)
		}
		flen = int64(win.Dim(0))
		w, _ = tensor.Float64s(win)
	}
	length := int64(sig.Dim(1))
	if flen < 1 || flen > length {
		return nil, errShape("STFT frame length %d for a signal of %d samples (give frame_length or a window)", flen, length)
	}
	n := int(flen)
	frames := int((length-flen)/step) + 1
	bins := n
	if k.onesided {
		bins = n/2 + 1
	}
	batch := sig.Dim(0)
	shape := []int{batch, frames, bins, 2}
	if err := rc.CheckSize(tensor.Float64, shape); err != nil {
		return nil, err
	}
	// Gather the windowed frames as a [batch*frames, n, c] signal, then
	// transform every frame.
	c := sig.Dim(2)
	if err := rc.CheckSize(tensor.Float64, []int{batch, frames, n, c}); err != nil {
		return nil, err
	}
	sd, _ := tensor.Float64s(sig)
	fr := make([]float64, batch*frames*n*c)
	for b := 0; b < batch; b++ {
		for f := 0; f < frames; f++ {
			dst := fr[(b*frames+f)*n*c : (b*frames+f+1)*n*c]
			src := sd[(b*int(length)+f*int(step))*c:]
			copy(dst, src[:n*c])
			if w != nil {
				for j := 0; j < n; j++ {
					for q := 0; q < c; q++ {
						dst[j*c+q] *= w[j]
					}
				}
			}
		}
	}
	out := make([]float64, tensor.NumElements(shape))
	dftLines(fr, out, batch*frames, 1, n, n, bins, complexIn, newFFTPlan(n, false), false)
	res, err := tensor.FromSlice(shape, out)
	if err != nil {
		return nil, err
	}
	return out1(tensor.Convert(res, sig.DType()))
}

package std

import (
	"math"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// MelWeightMatrix: a [dft_length/2 + 1, num_mel_bins] matrix of triangular
// filters (peak 1) mapping linear-frequency spectrogram bins to mel bands
// between lower_edge_hertz and upper_edge_hertz, with mel(f) = 2595
// log10(1 + f/700), in output_datatype (default float). Introduced in
// opset 17.
//
// Band edges follow the ONNX reference implementation (the operator
// description leaves them open): num_mel_bins + 2 points spaced by
// (mel(upper) - mel(lower)) / (num_mel_bins + 2) from mel(lower), each
// mapped to spectrogram bin floor((dft_length + 1) f / sample_rate);
// band i rises from point i to point i+1 and falls to point i+2.

func init() {
	register(&runtime.Op{Type: "MelWeightMatrix", Since: 17, Inputs: [2]int{5, 5}, Outputs: [2]int{1, 1}, Build: buildMel})
}

type melKernel struct{ dtype tensor.DType }

func buildMel(b *runtime.BuildContext) (runtime.Kernel, error) {
	dt, err := sigOutputDType(b, "output_datatype", 1)
	if err != nil {
		return nil, err
	}
	return &melKernel{dtype: dt}, b.Err()
}

func (k *melKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	var ints [3]int64
	for i, name := range []string{"num_mel_bins", "dft_length", "sample_rate"} {
		v, err := sigScalarInt(in[i], "MelWeightMatrix "+name)
		if err != nil {
			return nil, err
		}
		if v < 1 || v > math.MaxInt32 {
			return nil, errShape("MelWeightMatrix %s %d must be positive", name, v)
		}
		ints[i] = v
	}
	lo, err := sigScalarFloat(in[3], "MelWeightMatrix lower_edge_hertz")
	if err != nil {
		return nil, err
	}
	hi, err := sigScalarFloat(in[4], "MelWeightMatrix upper_edge_hertz")
	if err != nil {
		return nil, err
	}
	if !(lo >= 0 && lo < hi) {
		return nil, errShape("MelWeightMatrix needs 0 <= lower_edge_hertz < upper_edge_hertz, got %v and %v", lo, hi)
	}
	mels, dft, rate := int(ints[0]), int(ints[1]), float64(ints[2])
	bins := dft/2 + 1
	if err := rc.CheckSize(tensor.Float64, []int{bins, mels}); err != nil {
		return nil, err
	}
	mel := func(f float64) float64 { return 2595 * math.Log10(1+f/700) }
	mlo := mel(lo)
	step := (mel(hi) - mlo) / float64(mels+2)
	pts := make([]int, mels+2)
	for i := range pts {
		f := 700 * (math.Pow(10, (mlo+float64(i)*step)/2595) - 1)
		p := math.Floor(float64(dft+1) * f / rate)
		if p >= float64(bins) {
			return nil, errShape("MelWeightMatrix: upper_edge_hertz %v is above the Nyquist frequency %v", hi, rate/2)
		}
		pts[i] = int(p)
	}
	w := make([]float64, bins*mels)
	for i := 0; i < mels; i++ {
		l, c, h := pts[i], pts[i+1], pts[i+2]
		if c == l {
			w[c*mels+i] = 1
		} else {
			for j := l; j <= c; j++ {
				w[j*mels+i] = float64(j-l) / float64(c-l)
			}
		}
		for j := c; j < h; j++ {
			w[j*mels+i] = float64(h-j) / float64(h-c)
		}
	}
	return out1(tensor.Convert(tensor.MustFromSlice([]int{bins, mels}, w), k.dtype))
}

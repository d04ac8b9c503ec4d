package std

import (
	"github.com/optnet-go/optnet/runtime/tensor"
)

// Small input helpers of this family's ops (NonMaxSuppression, RoiAlign,
// the window functions, DFT, STFT, MelWeightMatrix).

// optInput returns input i, or nil when it is omitted.
func optInput(in []*tensor.Tensor, i int) *tensor.Tensor {
	if i < len(in) {
		return in[i]
	}
	return nil
}

// scalarInt reads a one-element integer tensor.
func scalarInt(t *tensor.Tensor, name string) (int64, error) {
	if !t.DType().IsInt() || t.Len() != 1 {
		return 0, errDType("%s must be a single integer, got %v", name, t)
	}
	v, err := tensor.Int64s(t)
	if err != nil {
		return 0, err
	}
	return v[0], nil
}

// scalarFloat reads a one-element numeric tensor as float64.
func scalarFloat(t *tensor.Tensor, name string) (float64, error) {
	if !t.DType().IsNumeric() || t.Len() != 1 {
		return 0, errDType("%s must be a single number, got %v", name, t)
	}
	v, err := tensor.Float64s(t)
	if err != nil {
		return 0, err
	}
	return v[0], nil
}

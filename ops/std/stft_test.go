package std

import (
	"errors"
	"math/rand"
	"testing"

	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestSTFT(t *testing.T) {
	rng := rand.New(rand.NewSource(6))
	const batch, length = 2, 23
	sig := randF64(rng, -1, 1, batch, length, 1)
	win := randF64(rng, 0, 1, 6)
	sd, wd := tensor.Data[float64](sig), tensor.Data[float64](win)
	for _, c := range []struct {
		window   bool
		onesided int64
	}{{true, 1}, {false, 1}, {true, 0}} {
		in := []*tensor.Tensor{sig, tensor.Scalar(int64(4)), nil, tensor.Scalar(int64(6))}
		if c.window {
			in[2] = win
		}
		got := runOp(t, "STFT", 17, attrsOf(attrInt("onesided", c.onesided)), 1, in...)[0]
		frames, bins := (length-6)/4+1, 6
		if c.onesided == 1 {
			bins = 4
		}
		want := tensor.Make[float64](batch, frames, bins, 2)
		for b := 0; b < batch; b++ {
			for f := 0; f < frames; f++ {
				fr := make([]complex128, 6)
				for j := range fr {
					v := sd[b*length+f*4+j]
					if c.window {
						v *= wd[j]
					}
					fr[j] = complex(v, 0)
				}
				for k, v := range naiveDFT(fr, 6, false)[:bins] {
					o := ((b*frames+f)*bins + k) * 2
					tensor.Data[float64](want)[o], tensor.Data[float64](want)[o+1] = real(v), imag(v)
				}
			}
		}
		assertClose(t, got, want, 1e-9, 1e-9)
	}
	// The frame length may come from the window alone.
	a := runOp(t, "STFT", 17, nil, 1, sig, tensor.Scalar(int64(4)), win)[0]
	b := runOp(t, "STFT", 17, nil, 1, sig, tensor.Scalar(int64(4)), win, tensor.Scalar(int64(6)))[0]
	assertClose(t, a, b, 0, 0)
}

func TestSTFTErrors(t *testing.T) {
	sig := tensor.Make[float32](1, 16, 1)
	step := tensor.Scalar(int64(4))
	cases := [][]*tensor.Tensor{
		{tensor.Make[float32](16, 1), step, nil, tensor.Scalar(int64(4))},
		{sig, tensor.Scalar(int64(0)), nil, tensor.Scalar(int64(4))},
		{sig, step}, // no frame length
		{sig, step, nil, tensor.Scalar(int64(17))}, // longer than the signal
		{sig, step, tensor.Make[float32](5), tensor.Scalar(int64(4))},
		{tensor.Make[float32](1, 16, 2), step, nil, tensor.Scalar(int64(4))}, // complex, onesided
	}
	for i, in := range cases {
		if err := runOpErr("STFT", 17, nil, 1, in...); !errors.Is(err, tensor.ErrShape) {
			t.Errorf("case %d: %v", i, err)
		}
	}
	if err := runOpErr("STFT", 17, nil, 1, tensor.Make[int32](1, 16, 1), step, nil, tensor.Scalar(int64(4))); !errors.Is(err, tensor.ErrDType) {
		t.Errorf("int signal: %v", err)
	}
}

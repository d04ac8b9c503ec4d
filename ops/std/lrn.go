package std

import (
	"math"

	"github.com/optnet-go/optnet/internal/parallel"
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// LRN: local response normalization across channels of X (N, C, …):
// y = x / (bias + alpha/size · Σ x²)^beta, the sum over the channels
// [c - ⌊(size-1)/2⌋, c + ⌈(size-1)/2⌉] clipped to [0, C) (opset 1; opset
// 13 added bfloat16).

func init() {
	register(&runtime.Op{Type: "LRN", Since: 1, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1}, Build: buildLRN})
}

type lrnKernel struct {
	alpha, beta, bias float64
	size              int
}

func buildLRN(b *runtime.BuildContext) (runtime.Kernel, error) {
	k := &lrnKernel{
		alpha: float64(b.Float("alpha", 1e-4)),
		beta:  float64(b.Float("beta", 0.75)),
		bias:  float64(b.Float("bias", 1)),
		size:  int(b.RequireInt("size")),
	}
	if err := b.Err(); err != nil {
		return nil, err
	}
	if k.size < 1 {
		return nil, b.Errorf("size %d must be positive", k.size)
	}
	return k, nil
}

func (k *lrnKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	dt := in[0].DType()
	if !isPoolFloat(dt) {
		return nil, errDType("LRN does not support %v", dt)
	}
	w, err := nnWiden(in[0])
	if err != nil {
		return nil, err
	}
	x := w[0]
	if x.Rank() < 2 {
		return nil, errShape("LRN input %v needs rank >= 2 (N, C, ...)", x.Shape())
	}
	var y *tensor.Tensor
	if x.DType() == tensor.Float32 {
		y = lrnRun[float32](k, x)
	} else {
		y = lrnRun[float64](k, x)
	}
	return nnNarrow(dt, []*tensor.Tensor{y}, nil)
}

func lrnRun[T tensor.Float](k *lrnKernel, x *tensor.Tensor) *tensor.Tensor {
	s := x.Shape()
	n, c := s[0], s[1]
	inner := nnProd(s[2:])
	y := tensor.Make[T](s...)
	xd, yd := tensor.Data[T](x), tensor.Data[T](y)
	lo, hi := (k.size-1)/2, k.size/2 // channels before and after
	scale := k.alpha / float64(k.size)
	parallel.For(n*c, max(1, 4096/max(1, inner*k.size)), func(a, b int) {
		for i := a; i < b; i++ {
			ni, ci := i/c, i%c
			c0, c1 := max(0, ci-lo), min(c-1, ci+hi)
			for j := 0; j < inner; j++ {
				sum := 0.0
				for cc := c0; cc <= c1; cc++ {
					v := float64(xd[(ni*c+cc)*inner+j])
					sum += v * v
				}
				yd[i*inner+j] = T(float64(xd[i*inner+j]) / math.Pow(k.bias+scale*sum, k.beta))
			}
		}
	})
	return y
}

// InferShapes: same as the input.
func (k *lrnKernel) InferShapes(in []runtime.Fact) ([]runtime.Fact, error) { return sameAsInput(0)(in) }

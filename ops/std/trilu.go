package std

import (
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// Trilu: keeps the upper (upper=1, default) or lower triangle of the last
// two dims of a tensor, shifted by the diagonal offset k (an optional
// int64 scalar input; positive k moves up and right), zeroing the rest.
// Upper keeps j - i >= k, lower keeps j - i <= k. Opset 14.

func init() {
	register(&runtime.Op{Type: "Trilu", Since: 14, Inputs: [2]int{1, 2}, Outputs: [2]int{1, 1}, Build: buildTrilu})
}

type triluKernel struct{ upper bool }

func buildTrilu(b *runtime.BuildContext) (runtime.Kernel, error) {
	return &triluKernel{upper: b.Int("upper", 1) != 0}, b.Err()
}

func (k *triluKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	x := in[0]
	if x.Rank() < 2 {
		return nil, errShape("Trilu needs rank >= 2, got %v", x.Shape())
	}
	var diag int64
	if v, ok, err := shpOptInts(in, 1, "Trilu k"); err != nil {
		return nil, err
	} else if ok {
		if len(v) != 1 {
			return nil, errShape("Trilu k must be a scalar")
		}
		diag = v[0]
	}
	n, m := x.Dim(-2), x.Dim(-1)
	diag = min(max(diag, -int64(n)-1), int64(m)+1)
	kd := int(diag)
	out := x.Clone()
	zero, err := tensor.Zeros(x.DType(), 1)
	if err != nil {
		return nil, err
	}
	kt := shpMustKit(x)
	mats := x.Len() / max(n*m, 1)
	if n*m == 0 {
		mats = 0
	}
	for b := 0; b < mats; b++ {
		for i := 0; i < n; i++ {
			row := (b*n + i) * m
			// Zero the columns outside the kept band of row i.
			if k.upper {
				// keep j >= i+kd: zero [0, i+kd)
				if e := min(max(i+kd, 0), m); e > 0 {
					kt.fillN(out.Raw(), row, row+e, zero.Raw())
				}
			} else {
				// keep j <= i+kd: zero [i+kd+1, m)
				if s := min(max(i+kd+1, 0), m); s < m {
					kt.fillN(out.Raw(), row+s, row+m, zero.Raw())
				}
			}
		}
	}
	return []*tensor.Tensor{out}, nil
}

// InferShapes: like the input.
func (k *triluKernel) InferShapes(in []runtime.Fact) ([]runtime.Fact, error) {
	return sameAsInput(0)(in)
}

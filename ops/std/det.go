package std

import (
	"math"

	"github.com/optnet-go/optnet/internal/parallel"
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// Det: the determinant of each square matrix in the last two dims of X
// (…, M, M), by LU decomposition with partial pivoting in float64
// (opset 11).

func init() {
	register(&runtime.Op{Type: "Det", Since: 11, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1}, Build: fixed(detKernel{})})
}

type detKernel struct{}

func (detKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	x := in[0]
	if !x.DType().IsFloat() {
		return nil, errDType("Det does not support %v", x.DType())
	}
	s := x.Shape()
	if len(s) < 2 || s[len(s)-1] != s[len(s)-2] {
		return nil, errShape("Det needs square matrices in the last two dims, got %v", s)
	}
	m := s[len(s)-1]
	xv, err := tensor.Float64s(x)
	if err != nil {
		return nil, err
	}
	batch := s[:len(s)-2]
	out := make([]float64, nnProd(batch))
	parallel.For(len(out), max(1, 256/max(1, m*m*m)), func(lo, hi int) {
		a := make([]float64, m*m)
		for b := lo; b < hi; b++ {
			copy(a, xv[b*m*m:(b+1)*m*m])
			out[b] = luDet(a, m)
		}
	})
	r := tensor.MustFromSlice(append([]int(nil), batch...), out)
	return out1(tensor.Convert(r, x.DType()))
}

// luDet returns the determinant of the m×m matrix a, destroying a.
func luDet(a []float64, m int) float64 {
	det := 1.0
	for c := 0; c < m; c++ {
		p := c
		for r := c + 1; r < m; r++ {
			if math.Abs(a[r*m+c]) > math.Abs(a[p*m+c]) {
				p = r
			}
		}
		if a[p*m+c] == 0 {
			return 0
		}
		if p != c {
			for j := 0; j < m; j++ {
				a[p*m+j], a[c*m+j] = a[c*m+j], a[p*m+j]
			}
			det = -det
		}
		piv := a[c*m+c]
		det *= piv
		for r := c + 1; r < m; r++ {
			f := a[r*m+c] / piv
			if f == 0 {
				continue
			}
			for j := c + 1; j < m; j++ {
				a[r*m+j] -= f * a[c*m+j]
			}
		}
	}
	return det
}

// InferShapes: the batch dims.
func (detKernel) InferShapes(in []runtime.Fact) ([]runtime.Fact, error) {
	out := runtime.Fact{DType: in[0].DType}
	if in[0].HasShape {
		if len(in[0].Shape) < 2 {
			return nil, errShape("Det needs rank >= 2, got %v", in[0].Shape)
		}
		out.Shape, out.HasShape = append([]int(nil), in[0].Shape[:len(in[0].Shape)-2]...), true
	}
	return []runtime.Fact{out}, nil
}

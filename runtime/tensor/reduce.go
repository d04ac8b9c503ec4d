package tensor

import "fmt"

// SumTo sums t over the axes along which shape was broadcast to t's shape,
// returning a tensor of the given shape: the gradient of a broadcast. t must
// be float32 or float64 and shape must broadcast to t's shape.
func SumTo(t *Tensor, shape []int) (*Tensor, error) {
	if SameShape(t.Shape(), shape) {
		return t, nil
	}
	b, err := NewBroadcaster(t.Shape(), shape)
	if err != nil {
		return nil, err
	}
	switch t.DType() {
	case Float32:
		out := Make[float32](shape...)
		sumTo(Data[float32](out), Data[float32](t), b)
		return out, nil
	case Float64:
		out := Make[float64](shape...)
		sumTo(Data[float64](out), Data[float64](t), b)
		return out, nil
	}
	return nil, fmt.Errorf("tensor.SumTo: %v: %w", t.DType(), ErrDType)
}

func sumTo[T Float](dst, src []T, b *Broadcaster) {
	n := b.RowLen()
	step := b.Steps()[0]
	b.ForRows(0, b.Rows(), func(o int, in []int) {
		row := src[o : o+n]
		if step == 1 {
			d := dst[in[0] : in[0]+n]
			for i, v := range row {
				d[i] += v
			}
			return
		}
		var s T
		for _, v := range row {
			s += v
		}
		dst[in[0]] += s
	})
}

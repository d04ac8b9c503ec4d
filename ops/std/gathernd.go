package std

import (
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// GatherND: each innermost row of indices (length m) addresses a slice
// data[b..., i_1, ..., i_m, ...] after the first batch_dims dims, which
// data and indices share; the output shape is indices.shape[:-1] +
// data.shape[batch_dims+m:]. Negative indices count from the end. Opset
// 11; opset 12 adds batch_dims; opset 13 only added dtypes.

func init() {
	register(
		&runtime.Op{Type: "GatherND", Since: 11, Inputs: [2]int{2, 2}, Outputs: [2]int{1, 1}, Build: buildGatherND},
		&runtime.Op{Type: "GatherND", Since: 12, Inputs: [2]int{2, 2}, Outputs: [2]int{1, 1}, Build: buildGatherND},
	)
}

type gatherNDKernel struct{ batch int }

func buildGatherND(b *runtime.BuildContext) (runtime.Kernel, error) {
	k := &gatherNDKernel{}
	if b.Version >= 12 {
		bd := b.Int("batch_dims", 0)
		if bd < 0 || bd > 64 {
			b.Errorf("GatherND batch_dims %d is invalid", bd)
		}
		k.batch = int(bd)
	}
	return k, b.Err()
}

// ndIndex resolves index tuples: for data of shape d and indices of shape
// ind (last dim m, the first b dims shared with data), it returns the
// flat data offset of each tuple's slice, the slice size and the output
// shape.
func ndIndex(data, ind *tensor.Tensor, b int, what string) (offs []int, slice int, out []int, err error) {
	r, q := data.Rank(), ind.Rank()
	if q < 1 || b >= r || b >= q {
		return nil, 0, nil, errShape("%s of data %v by indices %v with batch_dims %d", what, data.Shape(), ind.Shape(), b)
	}
	m := ind.Dim(q - 1)
	if m < 1 || m > r-b {
		return nil, 0, nil, errShape("%s index tuples of length %d for data of rank %d (batch_dims %d)", what, m, r, b)
	}
	for k := 0; k < b; k++ {
		if ind.Dim(k) != data.Dim(k) {
			return nil, 0, nil, errShape("%s batch dims of indices %v and data %v differ", what, ind.Shape(), data.Shape())
		}
	}
	if ind.DType() != tensor.Int64 && ind.DType() != tensor.Int32 {
		return nil, 0, nil, errDType("%s indices must be int64 or int32, got %v", what, ind.DType())
	}
	v, err := tensor.Int64s(ind)
	if err != nil {
		return nil, 0, nil, err
	}
	ds := tensor.Strides(data.Shape())
	slice = tensor.NumElements(data.Shape()[b+m:])
	batchSize := tensor.NumElements(data.Shape()[b:])
	nb := tensor.NumElements(data.Shape()[:b])
	tuples := len(v) / m
	per := 0
	if nb > 0 {
		per = tuples / nb
	}
	offs = make([]int, tuples)
	for t := range offs {
		off := 0
		if per > 0 {
			off = (t / per) * batchSize
		}
		for k := 0; k < m; k++ {
			x, d := v[t*m+k], int64(data.Dim(b+k))
			if x < 0 {
				x += d
			}
			if x < 0 || x >= d {
				return nil, 0, nil, errShape("%s index %d out of range for dim %d", what, v[t*m+k], d)
			}
			off += int(x) * ds[b+k]
		}
		offs[t] = off
	}
	out = append(append([]int{}, ind.Shape()[:q-1]...), data.Shape()[b+m:]...)
	return offs, slice, out, nil
}

func (k *gatherNDKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	x := in[0]
	offs, slice, shape, err := ndIndex(x, in[1], k.batch, "GatherND")
	if err != nil {
		return nil, err
	}
	flat := []int{len(offs), slice}
	maps := [][]int{offs, shpAffine(slice, 0, 1, 1)}
	out, err := shpGather(x, flat, maps, nil)
	if err != nil {
		return nil, err
	}
	return out1(out.Reshape(shape...))
}

// Package tensorpb converts between runtime tensors and ONNX TensorProto
// messages (inline raw_data or typed fields). The importer, exporter,
// conformance harness and optrun share it.
package tensorpb

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/optnet-go/optnet/onnxpb"
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

var (
	// ErrUnsupportedType: a tensor uses an element type the runtime does
	// not store (complex, float8, 4-bit).
	ErrUnsupportedType = errors.New("unsupported tensor type")
	// ErrExternalData: an external-data reference is unsafe, missing or
	// inconsistent (absolute or escaping path, out-of-range offset/length).
	ErrExternalData = errors.New("bad external data")
	// The runtime's sentinels for structure and size problems.
	errInvalid  = runtime.ErrInvalidGraph
	errTooLarge = runtime.ErrTooLarge
)

// DType maps an ONNX TensorProto data type to the runtime's dtype.
func DType(dt int32) (tensor.DType, error) {
	switch onnxpb.TensorProto_DataType(dt) {
	case onnxpb.TensorProto_FLOAT:
		return tensor.Float32, nil
	case onnxpb.TensorProto_DOUBLE:
		return tensor.Float64, nil
	case onnxpb.TensorProto_FLOAT16:
		return tensor.Float16, nil
	case onnxpb.TensorProto_BFLOAT16:
		return tensor.BFloat16, nil
	case onnxpb.TensorProto_INT8:
		return tensor.Int8, nil
	case onnxpb.TensorProto_INT16:
		return tensor.Int16, nil
	case onnxpb.TensorProto_INT32:
		return tensor.Int32, nil
	case onnxpb.TensorProto_INT64:
		return tensor.Int64, nil
	case onnxpb.TensorProto_UINT8:
		return tensor.Uint8, nil
	case onnxpb.TensorProto_UINT16:
		return tensor.Uint16, nil
	case onnxpb.TensorProto_UINT32:
		return tensor.Uint32, nil
	case onnxpb.TensorProto_UINT64:
		return tensor.Uint64, nil
	case onnxpb.TensorProto_BOOL:
		return tensor.Bool, nil
	case onnxpb.TensorProto_STRING:
		return tensor.String, nil
	}
	name := onnxpb.TensorProto_DataType_name[dt]
	if name == "" {
		name = fmt.Sprint(dt)
	}
	return tensor.Undefined, fmt.Errorf("%w: %s", ErrUnsupportedType, name)
}

// ProtoDType maps a runtime dtype to the ONNX TensorProto data type.
func ProtoDType(dt tensor.DType) int32 {
	switch dt {
	case tensor.Float32:
		return int32(onnxpb.TensorProto_FLOAT)
	case tensor.Float64:
		return int32(onnxpb.TensorProto_DOUBLE)
	case tensor.Float16:
		return int32(onnxpb.TensorProto_FLOAT16)
	case tensor.BFloat16:
		return int32(onnxpb.TensorProto_BFLOAT16)
	case tensor.Int8:
		return int32(onnxpb.TensorProto_INT8)
	case tensor.Int16:
		return int32(onnxpb.TensorProto_INT16)
	case tensor.Int32:
		return int32(onnxpb.TensorProto_INT32)
	case tensor.Int64:
		return int32(onnxpb.TensorProto_INT64)
	case tensor.Uint8:
		return int32(onnxpb.TensorProto_UINT8)
	case tensor.Uint16:
		return int32(onnxpb.TensorProto_UINT16)
	case tensor.Uint32:
		return int32(onnxpb.TensorProto_UINT32)
	case tensor.Uint64:
		return int32(onnxpb.TensorProto_UINT64)
	case tensor.Bool:
		return int32(onnxpb.TensorProto_BOOL)
	case tensor.String:
		return int32(onnxpb.TensorProto_STRING)
	}
	return int32(onnxpb.TensorProto_UNDEFINED)
}

// Decode converts a TensorProto whose payload is inline (raw_data or
// the typed fields) to a tensor, refusing declared sizes over maxBytes
// (0: no limit) before allocating. External data must have been resolved
// by the caller (see Loader); an EXTERNAL tensor gives ErrExternalData.
func Decode(tp *onnxpb.TensorProto, maxBytes int64) (*tensor.Tensor, error) {
	if tp.GetDataLocation() == onnxpb.TensorProto_EXTERNAL {
		return nil, fmt.Errorf("%w: tensor %q is stored externally and no directory was given to resolve it", ErrExternalData, tp.GetName())
	}
	return DecodeWithRaw(tp, tp.GetRawData(), tp.RawData != nil, maxBytes)
}

// Shape returns a TensorProto's dims as ints and its element count,
// refusing negative dims and sizes over maxBytes (0: no limit).
func Shape(tp *onnxpb.TensorProto, dt tensor.DType, maxBytes int64) ([]int, int, error) {
	return tensorShape(tp, dt, maxBytes)
}

func tensorShape(tp *onnxpb.TensorProto, dt tensor.DType, maxBytes int64) ([]int, int, error) {
	shape := make([]int, len(tp.Dims))
	n := int64(1)
	for i, d := range tp.Dims {
		if d < 0 {
			return nil, 0, fmt.Errorf("%w: tensor %q has negative dim %d", errInvalid, tp.GetName(), d)
		}
		if d > 0 && n > math.MaxInt64/d {
			return nil, 0, fmt.Errorf("%w: tensor %q: dims %v overflow", errTooLarge, tp.GetName(), tp.Dims)
		}
		n *= d
		shape[i] = int(d)
	}
	size := int64(max(dt.Size(), 1))
	if n > math.MaxInt/8 || (maxBytes > 0 && n > maxBytes/size) {
		return nil, 0, fmt.Errorf("%w: tensor %q declares %v (%d elements of %v), over the %d-byte limit", errTooLarge, tp.GetName(), tp.Dims, n, dt, maxBytes)
	}
	return shape, int(n), nil
}

// DecodeWithRaw is Decode with the payload bytes supplied by the caller
// (the importer reads them from an external file); hasRaw says whether raw
// is the payload or the typed fields are.
func DecodeWithRaw(tp *onnxpb.TensorProto, raw []byte, hasRaw bool, maxBytes int64) (*tensor.Tensor, error) {
	dt, err := DType(tp.GetDataType())
	if err != nil {
		return nil, fmt.Errorf("tensor %q: %w", tp.GetName(), err)
	}
	if tp.Segment != nil {
		return nil, fmt.Errorf("%w: tensor %q is segmented, which is not supported", errInvalid, tp.GetName())
	}
	shape, n, err := tensorShape(tp, dt, maxBytes)
	if err != nil {
		return nil, err
	}
	mismatch := func(have int) error {
		return fmt.Errorf("%w: tensor %q of shape %v needs %d elements, the data holds %d", errInvalid, tp.GetName(), tp.Dims, n, have)
	}
	if hasRaw && dt != tensor.String {
		if len(raw) != n*dt.Size() {
			return nil, fmt.Errorf("%w: tensor %q of shape %v (%v) needs %d raw bytes, has %d", errInvalid, tp.GetName(), tp.Dims, dt, n*dt.Size(), len(raw))
		}
		return fromRaw(dt, shape, raw)
	}
	var data any
	switch dt {
	case tensor.Float32:
		if len(tp.FloatData) != n {
			return nil, mismatch(len(tp.FloatData))
		}
		data = append([]float32(nil), tp.FloatData...)
	case tensor.Float64:
		if len(tp.DoubleData) != n {
			return nil, mismatch(len(tp.DoubleData))
		}
		data = append([]float64(nil), tp.DoubleData...)
	case tensor.Int64:
		if len(tp.Int64Data) != n {
			return nil, mismatch(len(tp.Int64Data))
		}
		data = append([]int64(nil), tp.Int64Data...)
	case tensor.Uint32, tensor.Uint64:
		if len(tp.Uint64Data) != n {
			return nil, mismatch(len(tp.Uint64Data))
		}
		if dt == tensor.Uint64 {
			data = append([]uint64(nil), tp.Uint64Data...)
		} else {
			d := make([]uint32, n)
			for i, v := range tp.Uint64Data {
				d[i] = uint32(v)
			}
			data = d
		}
	case tensor.String:
		if len(tp.StringData) != n {
			return nil, mismatch(len(tp.StringData))
		}
		d := make([]string, n)
		for i, s := range tp.StringData {
			d[i] = string(s)
		}
		data = d
	default: // int32_data carries the narrow types
		if len(tp.Int32Data) != n {
			return nil, mismatch(len(tp.Int32Data))
		}
		data = fromInt32Data(dt, tp.Int32Data)
	}
	return tensor.FromAny(shape, data)
}

func fromInt32Data(dt tensor.DType, src []int32) any {
	n := len(src)
	switch dt {
	case tensor.Int32:
		return append([]int32(nil), src...)
	case tensor.Int16:
		d := make([]int16, n)
		for i, v := range src {
			d[i] = int16(v)
		}
		return d
	case tensor.Int8:
		d := make([]int8, n)
		for i, v := range src {
			d[i] = int8(v)
		}
		return d
	case tensor.Uint16:
		d := make([]uint16, n)
		for i, v := range src {
			d[i] = uint16(v)
		}
		return d
	case tensor.Uint8:
		d := make([]uint8, n)
		for i, v := range src {
			d[i] = uint8(v)
		}
		return d
	case tensor.Bool:
		d := make([]bool, n)
		for i, v := range src {
			d[i] = v != 0
		}
		return d
	case tensor.Float16:
		d := make([]tensor.F16, n)
		for i, v := range src {
			d[i] = tensor.F16(v)
		}
		return d
	case tensor.BFloat16:
		d := make([]tensor.BF16, n)
		for i, v := range src {
			d[i] = tensor.BF16(v)
		}
		return d
	}
	return nil
}

// fromRaw decodes little-endian raw bytes.
func fromRaw(dt tensor.DType, shape []int, raw []byte) (*tensor.Tensor, error) {
	le := binary.LittleEndian
	n := tensor.NumElements(shape)
	var data any
	switch dt {
	case tensor.Float32:
		d := make([]float32, n)
		for i := range d {
			d[i] = math.Float32frombits(le.Uint32(raw[4*i:]))
		}
		data = d
	case tensor.Float64:
		d := make([]float64, n)
		for i := range d {
			d[i] = math.Float64frombits(le.Uint64(raw[8*i:]))
		}
		data = d
	case tensor.Float16:
		d := make([]tensor.F16, n)
		for i := range d {
			d[i] = tensor.F16(le.Uint16(raw[2*i:]))
		}
		data = d
	case tensor.BFloat16:
		d := make([]tensor.BF16, n)
		for i := range d {
			d[i] = tensor.BF16(le.Uint16(raw[2*i:]))
		}
		data = d
	case tensor.Int8:
		d := make([]int8, n)
		for i := range d {
			d[i] = int8(raw[i])
		}
		data = d
	case tensor.Uint8:
		data = append([]uint8(nil), raw...)
	case tensor.Bool:
		d := make([]bool, n)
		for i := range d {
			d[i] = raw[i] != 0
		}
		data = d
	case tensor.Int16:
		d := make([]int16, n)
		for i := range d {
			d[i] = int16(le.Uint16(raw[2*i:]))
		}
		data = d
	case tensor.Uint16:
		d := make([]uint16, n)
		for i := range d {
			d[i] = le.Uint16(raw[2*i:])
		}
		data = d
	case tensor.Int32:
		d := make([]int32, n)
		for i := range d {
			d[i] = int32(le.Uint32(raw[4*i:]))
		}
		data = d
	case tensor.Uint32:
		d := make([]uint32, n)
		for i := range d {
			d[i] = le.Uint32(raw[4*i:])
		}
		data = d
	case tensor.Int64:
		d := make([]int64, n)
		for i := range d {
			d[i] = int64(le.Uint64(raw[8*i:]))
		}
		data = d
	case tensor.Uint64:
		d := make([]uint64, n)
		for i := range d {
			d[i] = le.Uint64(raw[8*i:])
		}
		data = d
	default:
		return nil, fmt.Errorf("%w: raw data for %v", ErrUnsupportedType, dt)
	}
	return tensor.FromAny(shape, data)
}

// Encode converts a tensor to a TensorProto with the payload in
// raw_data (strings in string_data).
func Encode(name string, t *tensor.Tensor) *onnxpb.TensorProto {
	tp := &onnxpb.TensorProto{Name: &name}
	dt := ProtoDType(t.DType())
	tp.DataType = &dt
	for _, d := range t.Shape() {
		tp.Dims = append(tp.Dims, int64(d))
	}
	le := binary.LittleEndian
	switch d := t.Raw().(type) {
	case []string:
		for _, s := range d {
			tp.StringData = append(tp.StringData, []byte(s))
		}
		return tp
	case []float32:
		raw := make([]byte, 4*len(d))
		for i, v := range d {
			le.PutUint32(raw[4*i:], math.Float32bits(v))
		}
		tp.RawData = raw
	case []float64:
		raw := make([]byte, 8*len(d))
		for i, v := range d {
			le.PutUint64(raw[8*i:], math.Float64bits(v))
		}
		tp.RawData = raw
	case []tensor.F16:
		raw := make([]byte, 2*len(d))
		for i, v := range d {
			le.PutUint16(raw[2*i:], uint16(v))
		}
		tp.RawData = raw
	case []tensor.BF16:
		raw := make([]byte, 2*len(d))
		for i, v := range d {
			le.PutUint16(raw[2*i:], uint16(v))
		}
		tp.RawData = raw
	case []int8:
		raw := make([]byte, len(d))
		for i, v := range d {
			raw[i] = byte(v)
		}
		tp.RawData = raw
	case []uint8:
		tp.RawData = append([]byte{}, d...)
	case []bool:
		raw := make([]byte, len(d))
		for i, v := range d {
			if v {
				raw[i] = 1
			}
		}
		tp.RawData = raw
	case []int16:
		raw := make([]byte, 2*len(d))
		for i, v := range d {
			le.PutUint16(raw[2*i:], uint16(v))
		}
		tp.RawData = raw
	case []uint16:
		raw := make([]byte, 2*len(d))
		for i, v := range d {
			le.PutUint16(raw[2*i:], v)
		}
		tp.RawData = raw
	case []int32:
		raw := make([]byte, 4*len(d))
		for i, v := range d {
			le.PutUint32(raw[4*i:], uint32(v))
		}
		tp.RawData = raw
	case []uint32:
		raw := make([]byte, 4*len(d))
		for i, v := range d {
			le.PutUint32(raw[4*i:], v)
		}
		tp.RawData = raw
	case []int64:
		raw := make([]byte, 8*len(d))
		for i, v := range d {
			le.PutUint64(raw[8*i:], uint64(v))
		}
		tp.RawData = raw
	case []uint64:
		raw := make([]byte, 8*len(d))
		for i, v := range d {
			le.PutUint64(raw[8*i:], v)
		}
		tp.RawData = raw
	}
	if tp.RawData == nil {
		tp.RawData = []byte{}
	}
	return tp
}

// Package tensorio reads and writes tensors in the files people feed
// models with: NumPy .npy and .npz (through codeberg.org/sbinet/npyio) and
// serialized ONNX TensorProto .pb files. optrun and the models package use
// it.
package tensorio

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"

	"codeberg.org/sbinet/npyio/npy"
	"codeberg.org/sbinet/npyio/npy/float16"
	"codeberg.org/sbinet/npyio/npz"
	"google.golang.org/protobuf/proto"

	"github.com/optnet-go/optnet/onnxpb"
	"github.com/optnet-go/optnet/runtime/tensor"
	"github.com/optnet-go/optnet/tensorpb"
)

// ErrFormat is wrapped by every error about a file that cannot be decoded.
var ErrFormat = errors.New("unreadable tensor file")

// ReadNPY decodes one .npy array. Fortran-ordered arrays are reordered to
// row-major; byte order is honoured. Object, structured and complex arrays
// are refused.
func ReadNPY(r io.Reader) (t *tensor.Tensor, err error) {
	defer func() {
		// npyio panics on a few malformed headers; a bad file must be an
		// error, never a crash.
		if p := recover(); p != nil {
			t, err = nil, fmt.Errorf("%w: npy: %v", ErrFormat, p)
		}
	}()
	rd, err := npy.NewReader(r)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	descr := rd.Header.Descr.Type
	if strings.ContainsAny(descr, "O[(") {
		return nil, fmt.Errorf("%w: npy dtype %s (object or structured arrays) is not supported", ErrFormat, descr)
	}
	shape := append([]int{}, rd.Header.Descr.Shape...)
	n := tensor.NumElements(shape)
	if n < 0 {
		return nil, fmt.Errorf("%w: npy shape %v is invalid", ErrFormat, shape)
	}
	var arr npy.Array
	if err := rd.Read(&arr); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	var data any
	switch d := arr.Data().(type) {
	case []float16.Num:
		h := make([]tensor.F16, len(d))
		for i, v := range d {
			h[i] = tensor.F16(v.Uint16())
		}
		data = h
	case []float32, []float64, []int8, []int16, []int32, []int64,
		[]uint8, []uint16, []uint32, []uint64, []bool, []string:
		data = d
	default:
		return nil, fmt.Errorf("%w: npy dtype %s is not supported", ErrFormat, descr)
	}
	if l := reflect.ValueOf(data).Len(); l != n {
		return nil, fmt.Errorf("%w: npy array of shape %v needs %d elements, the file holds %d", ErrFormat, shape, n, l)
	}
	if rd.Header.Descr.Fortran && len(shape) > 1 {
		data = fortranToC(data, shape)
	}
	return tensor.FromAny(shape, data)
}

// fortranToC reorders column-major data of the given shape to row-major.
func fortranToC(data any, shape []int) any {
	src := reflect.ValueOf(data)
	n := src.Len()
	dst := reflect.MakeSlice(src.Type(), n, n)
	rank := len(shape)
	fstride := make([]int, rank) // column-major strides
	s := 1
	for i := 0; i < rank; i++ {
		fstride[i] = s
		s *= shape[i]
	}
	idx := make([]int, rank)
	for c := 0; c < n; c++ { // c walks row-major order
		off := 0
		for i, v := range idx {
			off += v * fstride[i]
		}
		dst.Index(c).Set(src.Index(off))
		for i := rank - 1; i >= 0; i-- {
			idx[i]++
			if idx[i] < shape[i] {
				break
			}
			idx[i] = 0
		}
	}
	return dst.Interface()
}

// WriteNPY writes t as a .npy array. Float16 and bfloat16 tensors are
// written as float32 (npyio cannot encode half floats); check
// NPYDType first to tell users.
func WriteNPY(w io.Writer, t *tensor.Tensor) error {
	switch t.DType() {
	case tensor.Float16, tensor.BFloat16:
		f, err := tensor.Convert(t, tensor.Float32)
		if err != nil {
			return err
		}
		t = f
	}
	if t.Len() == 0 {
		return writeEmptyNPY(w, t)
	}
	bw := bufio.NewWriter(w)
	if err := npy.Write(bw, nested(t)); err != nil {
		return err
	}
	return bw.Flush()
}

// NPYDType returns the dtype WriteNPY stores t as.
func NPYDType(dt tensor.DType) tensor.DType {
	if dt == tensor.Float16 || dt == tensor.BFloat16 {
		return tensor.Float32
	}
	return dt
}

// nested returns t's data as a Go value whose type carries t's shape
// (a scalar, or nested arrays [d0][d1]...T), which is how npyio learns the
// shape to write.
func nested(t *tensor.Tensor) any {
	data := reflect.ValueOf(t.Raw())
	if t.Rank() == 0 {
		return data.Index(0).Interface()
	}
	typ := data.Type().Elem()
	for i := t.Rank() - 1; i >= 0; i-- {
		typ = reflect.ArrayOf(t.Dim(i), typ)
	}
	v := reflect.New(typ)
	// Nested Go arrays are laid out contiguously in row-major order, so a
	// flat slice over the same memory receives the data in one copy.
	flat := reflect.NewAt(reflect.ArrayOf(data.Len(), data.Type().Elem()), v.UnsafePointer()).Elem()
	reflect.Copy(flat, data)
	return v.Elem().Interface()
}

// writeEmptyNPY writes an array without elements. npyio derives shapes from
// Go values and cannot describe a zero-length dimension, so this header is
// written here (NPY format version 1.0).
func writeEmptyNPY(w io.Writer, t *tensor.Tensor) error {
	descr := map[tensor.DType]string{
		tensor.Float32: "<f4", tensor.Float64: "<f8",
		tensor.Int8: "|i1", tensor.Int16: "<i2", tensor.Int32: "<i4", tensor.Int64: "<i8",
		tensor.Uint8: "|u1", tensor.Uint16: "<u2", tensor.Uint32: "<u4", tensor.Uint64: "<u8",
		tensor.Bool: "|b1", tensor.String: "<U1",
	}[t.DType()]
	if descr == "" {
		return fmt.Errorf("npy: cannot write %v tensors", t.DType())
	}
	dims := make([]string, t.Rank())
	for i, d := range t.Shape() {
		dims[i] = fmt.Sprint(d)
	}
	shape := strings.Join(dims, ", ")
	if t.Rank() == 1 {
		shape += ","
	}
	h := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': (%s), }", descr, shape)
	// Pad so that magic(6)+version(2)+length(2)+header ends on a multiple
	// of 64 bytes, the last byte being a newline.
	total := 10 + len(h) + 1
	h += strings.Repeat(" ", (64-total%64)%64) + "\n"
	var b bytes.Buffer
	b.WriteString("\x93NUMPY\x01\x00")
	b.WriteByte(byte(len(h)))
	b.WriteByte(byte(len(h) >> 8))
	b.WriteString(h)
	_, err := w.Write(b.Bytes())
	return err
}

// ReadNPZ reads every array of a .npz archive, keyed by array name (the
// member name without ".npy").
func ReadNPZ(r io.ReaderAt, size int64) (map[string]*tensor.Tensor, error) {
	zr, err := npz.NewReader(r, size)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	out := map[string]*tensor.Tensor{}
	for _, key := range zr.Keys() {
		rc, err := zr.Open(key)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrFormat, err)
		}
		t, err := ReadNPY(rc)
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("array %q: %w", key, err)
		}
		out[strings.TrimSuffix(key, ".npy")] = t
	}
	return out, nil
}

// ReadPB decodes a serialized ONNX TensorProto.
func ReadPB(b []byte) (*tensor.Tensor, error) {
	tp := &onnxpb.TensorProto{}
	if err := proto.Unmarshal(b, tp); err != nil {
		return nil, fmt.Errorf("%w: TensorProto: %v", ErrFormat, err)
	}
	return tensorpb.Decode(tp, 0)
}

// ReadFile reads the tensors of a file, by extension: .npy and .pb hold one
// (returned under the key ""), .npz holds any number, keyed by name.
func ReadFile(path string) (map[string]*tensor.Tensor, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".npy":
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		t, err := ReadNPY(bufio.NewReader(f))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return map[string]*tensor.Tensor{"": t}, nil
	case ".npz":
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		st, err := f.Stat()
		if err != nil {
			return nil, err
		}
		m, err := ReadNPZ(f, st.Size())
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return m, nil
	case ".pb":
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		t, err := ReadPB(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return map[string]*tensor.Tensor{"": t}, nil
	}
	return nil, fmt.Errorf("%s: unknown tensor file type (want .npy, .npz or .pb)", path)
}

// Keys returns the sorted keys of m.
func Keys(m map[string]*tensor.Tensor) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

package tensor

import (
	"fmt"
	"math"
	"strconv"
)

// Convert returns t with its elements converted to dtype to, following
// ONNX Cast semantics: floats to integers truncate toward zero, numbers to
// bool test for non-zero, strings parse as numbers ("true"/"false" too).
// Converting to the same dtype returns t itself.
func Convert(t *Tensor, to DType) (*Tensor, error) {
	if t.dtype == to {
		return t, nil
	}
	n := t.Len()
	out, err := Zeros(to, t.shape...)
	if err != nil {
		return nil, err
	}
	switch {
	case t.dtype == String:
		src := t.data.([]string)
		f := make([]float64, n)
		for i, s := range src {
			v, err := parseNumber(s)
			if err != nil {
				return nil, fmt.Errorf("tensor: cannot convert %q to %v: %w", s, to, ErrDType)
			}
			f[i] = v
		}
		fromFloat64s(out.data, f)
	case to == String:
		dst := out.data.([]string)
		for i := 0; i < n; i++ {
			dst[i] = formatElem(t, i)
		}
	case to == Bool:
		dst := out.data.([]bool)
		f := floatsOf(t)
		for i, v := range f {
			dst[i] = v != 0
		}
	case to.IsInt() && t.dtype.IsInt():
		// Integer to integer conversions wrap like C; go through int64/uint64
		// so 64-bit values stay exact.
		intToInt(out.data, t.data)
	default:
		fromFloat64s(out.data, floatsOf(t))
	}
	return out, nil
}

func parseNumber(s string) (float64, error) {
	switch s {
	case "true", "True":
		return 1, nil
	case "false", "False":
		return 0, nil
	}
	return strconv.ParseFloat(s, 64)
}

func formatElem(t *Tensor, i int) string {
	switch d := t.data.(type) {
	case []float32:
		return strconv.FormatFloat(float64(d[i]), 'g', -1, 32)
	case []float64:
		return strconv.FormatFloat(d[i], 'g', -1, 64)
	case []F16:
		return strconv.FormatFloat(float64(d[i].Float32()), 'g', -1, 32)
	case []BF16:
		return strconv.FormatFloat(float64(d[i].Float32()), 'g', -1, 32)
	case []bool:
		if d[i] {
			return "1"
		}
		return "0"
	}
	if t.dtype.IsSigned() {
		return strconv.FormatInt(int64At(t.data, i), 10)
	}
	return strconv.FormatUint(uint64(int64At(t.data, i)), 10)
}

// floatsOf returns the elements of a numeric or bool tensor as float64.
func floatsOf(t *Tensor) []float64 {
	if d, ok := t.data.([]float64); ok {
		return d
	}
	f := make([]float64, t.Len())
	switch d := t.data.(type) {
	case []float32:
		for i, v := range d {
			f[i] = float64(v)
		}
	case []F16:
		for i, v := range d {
			f[i] = float64(v.Float32())
		}
	case []BF16:
		for i, v := range d {
			f[i] = float64(v.Float32())
		}
	case []bool:
		for i, v := range d {
			if v {
				f[i] = 1
			}
		}
	case []int8:
		toF(f, d)
	case []int16:
		toF(f, d)
	case []int32:
		toF(f, d)
	case []int64:
		toF(f, d)
	case []uint8:
		toF(f, d)
	case []uint16:
		toF(f, d)
	case []uint32:
		toF(f, d)
	case []uint64:
		toF(f, d)
	}
	return f
}

func toF[S Number](dst []float64, src []S) {
	for i, v := range src {
		dst[i] = float64(v)
	}
}

func fromF[D Number](dst []D, src []float64) {
	var z D
	isInt := D(1)/D(2) == z // integer division truncates
	for i, v := range src {
		if isInt && (math.IsNaN(v) || math.IsInf(v, 0)) {
			dst[i] = z
			continue
		}
		dst[i] = D(v)
	}
}

func fromFloat64s(dst any, src []float64) {
	switch d := dst.(type) {
	case []float32:
		fromF(d, src)
	case []float64:
		copy(d, src)
	case []F16:
		for i, v := range src {
			d[i] = F16From(float32(v))
		}
	case []BF16:
		for i, v := range src {
			d[i] = BF16From(float32(v))
		}
	case []int8:
		fromF(d, src)
	case []int16:
		fromF(d, src)
	case []int32:
		fromF(d, src)
	case []int64:
		fromF(d, src)
	case []uint8:
		fromF(d, src)
	case []uint16:
		fromF(d, src)
	case []uint32:
		fromF(d, src)
	case []uint64:
		fromF(d, src)
	case []bool:
		for i, v := range src {
			d[i] = v != 0
		}
	}
}

func int64At(data any, i int) int64 {
	switch d := data.(type) {
	case []int8:
		return int64(d[i])
	case []int16:
		return int64(d[i])
	case []int32:
		return int64(d[i])
	case []int64:
		return d[i]
	case []uint8:
		return int64(d[i])
	case []uint16:
		return int64(d[i])
	case []uint32:
		return int64(d[i])
	case []uint64:
		return int64(d[i])
	}
	return 0
}

func intToInt(dst, src any) {
	n := lenOf(src)
	switch d := dst.(type) {
	case []int8:
		for i := 0; i < n; i++ {
			d[i] = int8(int64At(src, i))
		}
	case []int16:
		for i := 0; i < n; i++ {
			d[i] = int16(int64At(src, i))
		}
	case []int32:
		for i := 0; i < n; i++ {
			d[i] = int32(int64At(src, i))
		}
	case []int64:
		for i := 0; i < n; i++ {
			d[i] = int64At(src, i)
		}
	case []uint8:
		for i := 0; i < n; i++ {
			d[i] = uint8(int64At(src, i))
		}
	case []uint16:
		for i := 0; i < n; i++ {
			d[i] = uint16(int64At(src, i))
		}
	case []uint32:
		for i := 0; i < n; i++ {
			d[i] = uint32(int64At(src, i))
		}
	case []uint64:
		for i := 0; i < n; i++ {
			d[i] = uint64(int64At(src, i))
		}
	}
}

// Float64s returns the elements of a numeric or bool tensor as float64. The
// result aliases t's storage when t is already float64: do not modify it.
func Float64s(t *Tensor) ([]float64, error) {
	if t.dtype == String || !t.dtype.Valid() {
		return nil, fmt.Errorf("tensor: %v is not numeric: %w", t.dtype, ErrDType)
	}
	return floatsOf(t), nil
}

// Int64s returns the elements of an integer tensor as int64 (the usual
// representation of ONNX shape, axis and index inputs). The result aliases
// t's storage when t is already int64: do not modify it.
func Int64s(t *Tensor) ([]int64, error) {
	if d, ok := t.data.([]int64); ok {
		return d, nil
	}
	if !t.dtype.IsInt() {
		return nil, fmt.Errorf("tensor: expected an integer tensor, got %v: %w", t.dtype, ErrDType)
	}
	out := make([]int64, t.Len())
	for i := range out {
		out[i] = int64At(t.data, i)
	}
	return out, nil
}

package std

import (
	"math"
	"strconv"
	"strings"

	"github.com/optnet-go/optnet/onnxpb"
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
	"github.com/optnet-go/optnet/tensorpb"
)

// Cast: converts x to the dtype named by attribute "to" (opset 1: a type
// name such as "FLOAT"; 6: a TensorProto data type number; 9 added casts
// from and to strings; 13 bfloat16).
//
// Numbers convert like C/NumPy: floats to integers truncate toward zero
// (NaN gives 0, out-of-range values wrap through int64), integers wrap,
// anything to bool tests for non-zero. float→float16 rounds to nearest
// even directly from the source precision; float→bfloat16 keeps the upper
// 16 bits of the float32 value (truncation), which is what ONNX's Cast
// produces before opset 19. Strings parse as decimal or scientific
// numbers ("INF", "+INF", "-INF", "NaN" in any case; "true"/"false" too);
// numbers format as the shortest string that reads back to the same
// value, positional for 1e-4 <= |v| < 1e16 (with ".0" on whole numbers),
// scientific otherwise, and "NaN", "INF", "-INF"; bools as "True"/"False".

func init() {
	register(
		&runtime.Op{Type: "Cast", Since: 1, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1}, Build: buildCast1},
		&runtime.Op{Type: "Cast", Since: 6, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1}, Build: buildCast},
	)
}

// buildCast1 reads the opset 1 form: to is a data type name.
func buildCast1(b *runtime.BuildContext) (runtime.Kernel, error) {
	if !b.HasAttr("to") {
		return nil, b.Errorf("Cast: required attribute \"to\" is missing")
	}
	name := strings.ToUpper(b.String("to", ""))
	if err := b.Err(); err != nil {
		return nil, err
	}
	v, ok := onnxpb.TensorProto_DataType_value[name]
	if !ok {
		return nil, b.Errorf("Cast: unknown data type %q", name)
	}
	dt, err := tensorpb.DType(v)
	if err != nil {
		return nil, b.Errorf("Cast: %v", err)
	}
	return &castKernel{to: dt}, nil
}

func buildCast(b *runtime.BuildContext) (runtime.Kernel, error) {
	to := b.RequireInt("to")
	if err := b.Err(); err != nil {
		return nil, err
	}
	dt, err := tensorpb.DType(int32(to))
	if err != nil || int64(int32(to)) != to {
		return nil, b.Errorf("Cast: unsupported target type %d", to)
	}
	return &castKernel{to: dt}, nil
}

type castKernel struct{ to tensor.DType }

func (k *castKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	return out1(ewCast(in[0], k.to))
}

// InferShapes: the input's shape with the target dtype.
func (k *castKernel) InferShapes(in []runtime.Fact) ([]runtime.Fact, error) {
	f := in[0]
	f.DType = k.to
	f.Value = nil
	return []runtime.Fact{f}, nil
}

// Backward casts the gradient back to the input's type (float to float
// only; other casts are not differentiable).
func (k *castKernel) Backward(rc *runtime.RunContext, f *runtime.Forward, g []*tensor.Tensor) ([]*tensor.Tensor, error) {
	return ewCastGrad(f, g[0], k.to)
}

// ewCastGrad is the backward rule of Cast and CastLike.
func ewCastGrad(f *runtime.Forward, gy *tensor.Tensor, to tensor.DType) ([]*tensor.Tensor, error) {
	out := make([]*tensor.Tensor, len(f.Inputs))
	if gy == nil || !f.NeedGrad[0] {
		return out, nil
	}
	x := f.Inputs[0]
	if !x.DType().IsFloat() || !to.IsFloat() {
		return nil, errDType("Cast from %v to %v is not differentiable", x.DType(), to)
	}
	r, err := ewCast(gy, x.DType())
	out[0] = r
	return out, err
}

// ewCast converts x to dtype to (the same tensor when it has that dtype).
func ewCast(x *tensor.Tensor, to tensor.DType) (*tensor.Tensor, error) {
	if x.DType() == to {
		return x, nil
	}
	if !to.Valid() {
		return nil, errDType("Cast to %v", to)
	}
	shape := x.Shape()
	switch s := x.Raw().(type) {
	case []string:
		return castFromStrings(s, shape, to)
	case []float32:
		return castNum(s, shape, to)
	case []float64:
		return castNum(s, shape, to)
	case []tensor.F16:
		f := make([]float32, len(s))
		for i, v := range s {
			f[i] = v.Float32()
		}
		return castNum(f, shape, to)
	case []tensor.BF16:
		f := make([]float32, len(s))
		for i, v := range s {
			f[i] = v.Float32()
		}
		return castNum(f, shape, to)
	case []bool:
		if to == tensor.String {
			out := make([]string, len(s))
			for i, v := range s {
				out[i] = "False"
				if v {
					out[i] = "True"
				}
			}
			return tensor.FromSlice(shape, out)
		}
		u := make([]uint8, len(s))
		for i, v := range s {
			if v {
				u[i] = 1
			}
		}
		return castNum(u, shape, to)
	case []int8:
		return castNum(s, shape, to)
	case []int16:
		return castNum(s, shape, to)
	case []int32:
		return castNum(s, shape, to)
	case []int64:
		return castNum(s, shape, to)
	case []uint8:
		return castNum(s, shape, to)
	case []uint16:
		return castNum(s, shape, to)
	case []uint32:
		return castNum(s, shape, to)
	case []uint64:
		return castNum(s, shape, to)
	}
	return nil, errDType("Cast from %v", x.DType())
}

// castNum converts numbers of type S to dtype to.
func castNum[S tensor.Number](src []S, shape []int, to tensor.DType) (*tensor.Tensor, error) {
	isFloat := tensor.DTypeOf[S]().IsFloat()
	switch to {
	case tensor.Float32:
		return tensor.FromSlice(shape, castConv[S, float32](src))
	case tensor.Float64:
		return tensor.FromSlice(shape, castConv[S, float64](src))
	case tensor.Float16:
		out := make([]tensor.F16, len(src))
		for i, v := range src {
			out[i] = ewF16FromF64(float64(v))
		}
		return tensor.FromSlice(shape, out)
	case tensor.BFloat16:
		out := make([]tensor.BF16, len(src))
		for i, v := range src {
			out[i] = ewBF16Trunc(float32(v))
		}
		return tensor.FromSlice(shape, out)
	case tensor.Bool:
		out := make([]bool, len(src))
		for i, v := range src {
			out[i] = v != 0
		}
		return tensor.FromSlice(shape, out)
	case tensor.String:
		out := make([]string, len(src))
		for i, v := range src {
			switch {
			case !isFloat:
				if tensor.DTypeOf[S]().IsSigned() {
					out[i] = strconv.FormatInt(int64(v), 10)
				} else {
					out[i] = strconv.FormatUint(uint64(v), 10)
				}
			case tensor.DTypeOf[S]() == tensor.Float32:
				out[i] = ewFormatFloat(float64(v), 32)
			default:
				out[i] = ewFormatFloat(float64(v), 64)
			}
		}
		return tensor.FromSlice(shape, out)
	}
	if !isFloat {
		switch to {
		case tensor.Int8:
			return tensor.FromSlice(shape, castConv[S, int8](src))
		case tensor.Int16:
			return tensor.FromSlice(shape, castConv[S, int16](src))
		case tensor.Int32:
			return tensor.FromSlice(shape, castConv[S, int32](src))
		case tensor.Int64:
			return tensor.FromSlice(shape, castConv[S, int64](src))
		case tensor.Uint8:
			return tensor.FromSlice(shape, castConv[S, uint8](src))
		case tensor.Uint16:
			return tensor.FromSlice(shape, castConv[S, uint16](src))
		case tensor.Uint32:
			return tensor.FromSlice(shape, castConv[S, uint32](src))
		case tensor.Uint64:
			return tensor.FromSlice(shape, castConv[S, uint64](src))
		}
		return nil, errDType("Cast to %v", to)
	}
	// Float to integer: truncate toward zero through int64 (uint64 for
	// values beyond int64), so results wrap the same on every platform.
	ints := make([]int64, len(src))
	for i, v := range src {
		f := float64(v)
		if f >= 9.223372036854775807e18 && f < 1.8446744073709551615e19 {
			ints[i] = int64(uint64(f))
			continue
		}
		ints[i] = ewTruncInt64(f)
	}
	return castNum(ints, shape, to)
}

func castConv[S, D tensor.Number](src []S) []D {
	out := make([]D, len(src))
	for i, v := range src {
		out[i] = D(v)
	}
	return out
}

// castFromStrings parses strings into dtype to.
func castFromStrings(src []string, shape []int, to tensor.DType) (*tensor.Tensor, error) {
	switch to {
	case tensor.Bool:
		out := make([]bool, len(src))
		for i, s := range src {
			switch strings.ToLower(strings.TrimSpace(s)) {
			case "true":
				out[i] = true
			case "false":
			default:
				f, err := castParseFloat(s, 64)
				if err != nil {
					return nil, err
				}
				out[i] = f != 0
			}
		}
		return tensor.FromSlice(shape, out)
	case tensor.Float32:
		out := make([]float32, len(src))
		for i, s := range src {
			f, err := castParseFloat(s, 32)
			if err != nil {
				return nil, err
			}
			out[i] = float32(f)
		}
		return tensor.FromSlice(shape, out)
	case tensor.Float64, tensor.Float16, tensor.BFloat16:
		f := make([]float64, len(src))
		for i, s := range src {
			v, err := castParseFloat(s, 64)
			if err != nil {
				return nil, err
			}
			f[i] = v
		}
		if to == tensor.BFloat16 {
			// Round to float32 first, as the float32 parse would.
			f32 := make([]float32, len(f))
			for i, v := range f {
				f32[i] = float32(v)
			}
			return castNum(f32, shape, to)
		}
		return castNum(f, shape, to)
	}
	if !to.IsInt() {
		return nil, errDType("Cast from string to %v", to)
	}
	// Integers: exact when the string is an integer literal, else parsed
	// as a float and truncated.
	ints := make([]int64, len(src))
	for i, s := range src {
		t := strings.TrimSpace(s)
		if v, err := strconv.ParseInt(t, 10, 64); err == nil {
			ints[i] = v
			continue
		}
		if v, err := strconv.ParseUint(t, 10, 64); err == nil {
			ints[i] = int64(v)
			continue
		}
		f, err := castParseFloat(s, 64)
		if err != nil {
			return nil, err
		}
		ints[i] = ewTruncInt64(f)
	}
	return castNum(ints, shape, to)
}

// castParseFloat parses a decimal or scientific number, or INF/NaN.
func castParseFloat(s string, bits int) (float64, error) {
	t := strings.TrimSpace(s)
	switch strings.ToUpper(t) {
	case "INF", "+INF", "INFINITY", "+INFINITY":
		return math.Inf(1), nil
	case "-INF", "-INFINITY":
		return math.Inf(-1), nil
	case "NAN", "+NAN", "-NAN":
		return math.NaN(), nil
	}
	f, err := strconv.ParseFloat(t, bits)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return f, nil // ±Inf or 0, as C's strtod gives
		}
		return 0, errDType("Cast: %q is not a number", s)
	}
	return f, nil
}

// ewFormatFloat formats v like NumPy's str of a float32 (bits 32) or
// float64 (bits 64) scalar, with ONNX's spellings of the special values.
func ewFormatFloat(v float64, bits int) string {
	switch {
	case math.IsNaN(v):
		return "NaN"
	case math.IsInf(v, 1):
		return "INF"
	case math.IsInf(v, -1):
		return "-INF"
	}
	a := math.Abs(v)
	if a != 0 && (a < 1e-4 || a >= 1e16) {
		return strconv.FormatFloat(v, 'e', -1, bits)
	}
	s := strconv.FormatFloat(v, 'f', -1, bits)
	if !strings.ContainsAny(s, ".") {
		s += ".0"
	}
	return s
}

// ewF16FromF64 rounds v to the nearest float16 (ties to even), saturating
// to infinity; NaN stays NaN.
func ewF16FromF64(v float64) tensor.F16 {
	b := math.Float64bits(v)
	sign := uint16(b>>48) & 0x8000
	exp := int(b>>52) & 0x7ff
	frac := b & (1<<52 - 1)
	if exp == 0x7ff {
		if frac != 0 {
			return tensor.F16(sign | 0x7e00)
		}
		return tensor.F16(sign | 0x7c00)
	}
	e := exp - 1023 + 15 // biased float16 exponent
	if e >= 0x1f {
		return tensor.F16(sign | 0x7c00)
	}
	if e <= 0 {
		// Subnormal result: value = m * 2^(E-52) with E = exp-1023, and a
		// float16 subnormal counts units of 2^-24.
		if exp == 0 {
			return tensor.F16(sign) // float64 subnormals are far below
		}
		m := frac | 1<<52
		shift := uint(28 - (exp - 1023))
		if shift >= 64 {
			return tensor.F16(sign)
		}
		q := m >> shift
		rest := m & (1<<shift - 1)
		half := uint64(1) << (shift - 1)
		if rest > half || (rest == half && q&1 == 1) {
			q++
		}
		return tensor.F16(sign | uint16(q))
	}
	q := uint64(e)<<10 | frac>>42
	rest := frac & (1<<42 - 1)
	const half = uint64(1) << 41
	if rest > half || (rest == half && q&1 == 1) {
		q++ // may carry into the exponent, up to infinity: still right
	}
	return tensor.F16(sign | uint16(q))
}

// ewBF16Trunc keeps the upper half of f's bits (NaN stays a quiet NaN).
func ewBF16Trunc(f float32) tensor.BF16 {
	u := math.Float32bits(f)
	if u&0x7fffffff > 0x7f800000 {
		return tensor.BF16(u>>16 | 0x40)
	}
	return tensor.BF16(u >> 16)
}

package tensor

import "fmt"

// DType is the element type of a tensor. The zero value, Undefined, means
// "not known yet" (used by shape inference) and is never the type of a
// materialised tensor.
type DType uint8

// The element types the runtime stores. Float16 and BFloat16 are stored as
// their raw 16-bit patterns; ops convert them to float32 to compute.
const (
	Undefined DType = iota
	Float32
	Float64
	Float16
	BFloat16
	Int8
	Int16
	Int32
	Int64
	Uint8
	Uint16
	Uint32
	Uint64
	Bool
	String
)

var dtypeNames = [...]string{
	Undefined: "undefined",
	Float32:   "float32",
	Float64:   "float64",
	Float16:   "float16",
	BFloat16:  "bfloat16",
	Int8:      "int8",
	Int16:     "int16",
	Int32:     "int32",
	Int64:     "int64",
	Uint8:     "uint8",
	Uint16:    "uint16",
	Uint32:    "uint32",
	Uint64:    "uint64",
	Bool:      "bool",
	String:    "string",
}

var dtypeSizes = [...]int{
	Float32: 4, Float64: 8, Float16: 2, BFloat16: 2,
	Int8: 1, Int16: 2, Int32: 4, Int64: 8,
	Uint8: 1, Uint16: 2, Uint32: 4, Uint64: 8,
	Bool: 1, String: 0,
}

// String returns the lower-case NumPy-style name of the type.
func (d DType) String() string {
	if int(d) < len(dtypeNames) {
		return dtypeNames[d]
	}
	return fmt.Sprintf("dtype(%d)", uint8(d))
}

// Valid reports whether d is one of the storable element types.
func (d DType) Valid() bool { return d > Undefined && d <= String }

// Size is the number of bytes one element takes in memory (0 for String and
// for invalid types).
func (d DType) Size() int {
	if d.Valid() {
		return dtypeSizes[d]
	}
	return 0
}

// IsFloat reports whether d is a floating-point type.
func (d DType) IsFloat() bool {
	return d == Float32 || d == Float64 || d == Float16 || d == BFloat16
}

// IsInt reports whether d is a signed or unsigned integer type.
func (d DType) IsInt() bool { return d >= Int8 && d <= Uint64 }

// IsSigned reports whether d is a signed integer type.
func (d DType) IsSigned() bool { return d >= Int8 && d <= Int64 }

// IsNumeric reports whether d holds numbers (floats or integers).
func (d DType) IsNumeric() bool { return d.IsFloat() || d.IsInt() }

// ParseDType returns the type with the given NumPy-style name.
func ParseDType(name string) (DType, error) {
	for i, n := range dtypeNames {
		if n == name && DType(i) != Undefined {
			return DType(i), nil
		}
	}
	switch name {
	case "float", "f32":
		return Float32, nil
	case "double", "f64":
		return Float64, nil
	case "half", "f16":
		return Float16, nil
	}
	return Undefined, fmt.Errorf("tensor: unknown dtype %q", name)
}

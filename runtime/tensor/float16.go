package tensor

import "math"

// F16 is an IEEE 754 binary16 value stored as its bit pattern.
type F16 uint16

// BF16 is a bfloat16 value (the upper half of a float32) stored as its
// bit pattern.
type BF16 uint16

// Float32 converts h to float32 exactly.
func (h F16) Float32() float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	frac := uint32(h) & 0x3ff
	switch {
	case exp == 0x1f: // Inf or NaN
		return math.Float32frombits(sign | 0x7f800000 | frac<<13)
	case exp == 0:
		if frac == 0 {
			return math.Float32frombits(sign)
		}
		// Subnormal: value is frac * 2^-24.
		v := float32(frac) * (1.0 / (1 << 24))
		if sign != 0 {
			v = -v
		}
		return v
	}
	return math.Float32frombits(sign | (exp+127-15)<<23 | frac<<13)
}

// F16From converts f to the nearest binary16 value (round half to even),
// saturating to infinity and keeping NaN a NaN.
func F16From(f float32) F16 {
	b := math.Float32bits(f)
	sign := uint16(b>>16) & 0x8000
	exp := int32(b>>23) & 0xff
	frac := b & 0x7fffff
	if exp == 0xff {
		if frac != 0 {
			return F16(sign | 0x7e00) // quiet NaN
		}
		return F16(sign | 0x7c00)
	}
	e := exp - 127 + 15
	if e >= 0x1f {
		return F16(sign | 0x7c00)
	}
	if e <= 0 {
		// Subnormal or zero in half precision.
		if e < -10 {
			return F16(sign)
		}
		m := frac | 0x800000
		shift := uint32(14 - e)
		half := uint32(1) << (shift - 1)
		rest := m & ((1 << shift) - 1)
		v := m >> shift
		if rest > half || (rest == half && v&1 == 1) {
			v++
		}
		return F16(sign | uint16(v))
	}
	v := uint32(e)<<10 | frac>>13
	rest := frac & 0x1fff
	if rest > 0x1000 || (rest == 0x1000 && v&1 == 1) {
		v++ // may carry into the exponent, which is the right result
	}
	return F16(sign | uint16(v))
}

// Float32 converts b to float32 exactly.
func (b BF16) Float32() float32 { return math.Float32frombits(uint32(b) << 16) }

// BF16From converts f to the nearest bfloat16 (round half to even).
func BF16From(f float32) BF16 {
	u := math.Float32bits(f)
	if u&0x7fffffff > 0x7f800000 {
		return BF16(u>>16 | 0x40) // keep NaN quiet
	}
	u += 0x7fff + (u>>16)&1
	return BF16(u >> 16)
}

package exp

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
)

// WriteNPY writes a little-endian float32 ("<f4") or float64 ("<f8") array
// in NumPy's .npy format (version 1.0, C order). data must be []float32 or
// []float64 with the product of shape elements.
func WriteNPY(path string, shape []int, data any) error {
	var descr string
	var n int
	switch d := data.(type) {
	case []float32:
		descr, n = "<f4", len(d)
	case []float64:
		descr, n = "<f8", len(d)
	default:
		return fmt.Errorf("npy: unsupported data %T", data)
	}
	want := 1
	dims := make([]string, len(shape))
	for i, s := range shape {
		want *= s
		dims[i] = strconv.Itoa(s)
	}
	if want != n {
		return fmt.Errorf("npy: shape %v needs %d values, got %d", shape, want, n)
	}
	tuple := strings.Join(dims, ", ")
	if len(shape) == 1 {
		tuple += ","
	}
	header := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': (%s), }", descr, tuple)
	// Pad with spaces so that magic(6)+version(2)+len(2)+header+'\n' is a
	// multiple of 64.
	total := 10 + len(header) + 1
	header += strings.Repeat(" ", (64-total%64)%64) + "\n"
	var buf bytes.Buffer
	buf.WriteString("\x93NUMPY\x01\x00")
	binary.Write(&buf, binary.LittleEndian, uint16(len(header)))
	buf.WriteString(header)
	if err := binary.Write(&buf, binary.LittleEndian, data); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

// ReadNPY reads a little-endian float32 or float64 C-order .npy file (as
// written by WriteNPY or NumPy) and returns its shape and values as
// float64.
func ReadNPY(path string) ([]int, []float64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	if len(b) < 10 || string(b[:6]) != "\x93NUMPY" {
		return nil, nil, fmt.Errorf("npy: %s: not an .npy file", path)
	}
	var hlen, off int
	switch b[6] {
	case 1:
		hlen, off = int(binary.LittleEndian.Uint16(b[8:10])), 10
	case 2, 3:
		if len(b) < 12 {
			return nil, nil, fmt.Errorf("npy: %s: truncated", path)
		}
		hlen, off = int(binary.LittleEndian.Uint32(b[8:12])), 12
	default:
		return nil, nil, fmt.Errorf("npy: %s: version %d", path, b[6])
	}
	if off+hlen > len(b) {
		return nil, nil, fmt.Errorf("npy: %s: truncated header", path)
	}
	h := string(b[off : off+hlen])
	body := b[off+hlen:]
	if strings.Contains(h, "'fortran_order': True") {
		return nil, nil, fmt.Errorf("npy: %s: Fortran order is not supported", path)
	}
	var size int
	switch {
	case strings.Contains(h, "'<f4'"):
		size = 4
	case strings.Contains(h, "'<f8'"):
		size = 8
	default:
		return nil, nil, fmt.Errorf("npy: %s: want <f4 or <f8 data, header %q", path, h)
	}
	i := strings.Index(h, "'shape': (")
	if i < 0 {
		return nil, nil, fmt.Errorf("npy: %s: no shape in header", path)
	}
	rest := h[i+len("'shape': ("):]
	j := strings.Index(rest, ")")
	if j < 0 {
		return nil, nil, fmt.Errorf("npy: %s: bad shape in header", path)
	}
	var shape []int
	count := 1
	for _, f := range strings.Split(rest[:j], ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		d, err := strconv.Atoi(f)
		if err != nil || d < 0 {
			return nil, nil, fmt.Errorf("npy: %s: bad dimension %q", path, f)
		}
		shape = append(shape, d)
		count *= d
	}
	if len(body) != count*size {
		return nil, nil, fmt.Errorf("npy: %s: %d data bytes for shape %v", path, len(body), shape)
	}
	out := make([]float64, count)
	for k := range out {
		if size == 4 {
			out[k] = float64(math.Float32frombits(binary.LittleEndian.Uint32(body[4*k:])))
		} else {
			out[k] = math.Float64frombits(binary.LittleEndian.Uint64(body[8*k:]))
		}
	}
	return shape, out, nil
}

// Package exp holds what the paper-reproduction commands under models/
// share: mini-batches, a masked MSE loss, CSV logs, .npy files, result
// records and plots. It is internal to models/: each experiment is a
// command (models/denoise, models/sudoku, models/solver-speed).
package exp

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/optnet-go/optnet/onnxbuild"
	"github.com/optnet-go/optnet/onnxpb"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// Shuffled splits the indices 0..n-1, in an order drawn from rng, into
// batches of size (the last one may be shorter).
func Shuffled(n, size int, rng *rand.Rand) [][]int {
	perm := rng.Perm(n)
	return chunks(perm, size)
}

// InOrder splits 0..n-1 into consecutive batches of size.
func InOrder(n, size int) [][]int {
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	return chunks(idx, size)
}

func chunks(idx []int, size int) [][]int {
	if size <= 0 {
		size = len(idx)
	}
	var out [][]int
	for lo := 0; lo < len(idx); lo += size {
		out = append(out, idx[lo:min(lo+size, len(idx))])
	}
	return out
}

// Rows gathers the rows idx of a row-major (·, width) matrix into a new
// (len(idx), width) float32 tensor.
func Rows(src []float32, width int, idx []int) *tensor.Tensor {
	out := make([]float32, len(idx)*width)
	for k, i := range idx {
		copy(out[k*width:(k+1)*width], src[i*width:(i+1)*width])
	}
	return tensor.MustFromSlice([]int{len(idx), width}, out)
}

// Float32s returns the values of a float tensor as float32 (a copy).
func Float32s(t *tensor.Tensor) ([]float32, error) {
	v, err := tensor.Float64s(t)
	if err != nil {
		return nil, err
	}
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(x)
	}
	return out, nil
}

// Eye returns the n×n identity scaled by s, row-major.
func Eye(n int, s float64) []float64 {
	out := make([]float64, n*n)
	for i := 0; i < n; i++ {
		out[i*n+i] = s
	}
	return out
}

// F32 converts float64 values to a float32 tensor of the given shape.
func F32(shape []int, v []float64) *tensor.Tensor {
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(x)
	}
	return tensor.MustFromSlice(shape, out)
}

// F64 makes a float64 tensor of the given shape (a copy of v).
func F64(shape []int, v []float64) *tensor.Tensor {
	return tensor.MustFromSlice(shape, append([]float64(nil), v...))
}

// Opsets are the operator-set imports of every model built here: ONNX
// opset 17 and com.optnet version 1.
var Opsets = map[string]int64{"": 17, "com.optnet": 1}

// QPNode adds a com.optnet.QP node with the given inputs (empty names for
// omitted optional ones) and attributes, returning its z output.
func QPNode(b *onnxbuild.Model, inputs []string, z string, attrs ...any) string {
	return b.DomainNode("com.optnet", "QP", inputs, []string{z}, qpAttrs(attrs)...)
}

func qpAttrs(kv []any) []*onnxpb.AttributeProto {
	var out []*onnxpb.AttributeProto
	for i := 0; i+1 < len(kv); i += 2 {
		name := kv[i].(string)
		switch v := kv[i+1].(type) {
		case string:
			out = append(out, onnxbuild.String(name, v))
		case int:
			out = append(out, onnxbuild.Int(name, int64(v)))
		case float64:
			out = append(out, onnxbuild.Float(name, float32(v)))
		default:
			panic(fmt.Sprintf("exp: QP attribute %s has unsupported type %T", name, v))
		}
	}
	return out
}

// Log is an append-only CSV log of a training run, flushed after every
// row so that a run that dies still leaves its curve behind.
type Log struct {
	f *os.File
	w *csv.Writer
}

// NewLog creates (truncates) path and writes the header.
func NewLog(path string, header ...string) (*Log, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	l := &Log{f: f, w: csv.NewWriter(f)}
	if err := l.w.Write(header); err != nil {
		f.Close()
		return nil, err
	}
	l.w.Flush()
	return l, l.w.Error()
}

// Row appends one row of numbers.
func (l *Log) Row(v ...float64) error {
	rec := make([]string, len(v))
	for i, x := range v {
		rec[i] = strconv.FormatFloat(x, 'g', 8, 64)
	}
	if err := l.w.Write(rec); err != nil {
		return err
	}
	l.w.Flush()
	return l.w.Error()
}

// Close closes the file.
func (l *Log) Close() error { return l.f.Close() }

// ReadCSV reads a numeric CSV written by Log: the header and the columns.
func ReadCSV(path string) (header []string, cols [][]float64, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(recs) == 0 {
		return nil, nil, fmt.Errorf("%s: empty", path)
	}
	header = recs[0]
	cols = make([][]float64, len(header))
	for _, r := range recs[1:] {
		for j := range header {
			v := math.NaN()
			if j < len(r) {
				if x, err := strconv.ParseFloat(r[j], 64); err == nil {
					v = x
				}
			}
			cols[j] = append(cols[j], v)
		}
	}
	return header, cols, nil
}

// Column returns the column called name of a CSV read by ReadCSV (nil if
// there is none).
func Column(header []string, cols [][]float64, name string) []float64 {
	for i, h := range header {
		if h == name {
			return cols[i]
		}
	}
	return nil
}

// SaveJSON writes v as indented JSON.
func SaveJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// LoadJSON reads JSON written by SaveJSON into v.
func LoadJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// Timer measures wall time since its creation.
type Timer struct{ start time.Time }

// StartTimer starts a timer.
func StartTimer() Timer { return Timer{start: time.Now()} }

// Seconds is the wall time elapsed, in seconds.
func (t Timer) Seconds() float64 { return time.Since(t.start).Seconds() }

// CheckDir makes sure dir exists (creating it) and returns it cleaned.
func CheckDir(dir string) (string, error) {
	dir = filepath.Clean(dir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	return dir, nil
}

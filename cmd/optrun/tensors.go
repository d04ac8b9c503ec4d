package main

import (
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/optnet-go/optnet/internal/tensorio"
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0x6f70746e6574)) }

// randomTensor fills a tensor with floats uniform in [0, 1), integers
// uniform in [0, 10) and fair booleans.
func randomTensor(rng *rand.Rand, dt tensor.DType, shape []int) (*tensor.Tensor, error) {
	n := tensor.NumElements(shape)
	if n < 0 {
		return nil, fmt.Errorf("invalid shape %v", shape)
	}
	switch {
	case dt.IsFloat():
		v := make([]float64, n)
		for i := range v {
			v[i] = rng.Float64()
		}
		return tensor.Convert(tensor.MustFromSlice(shape, v), dt)
	case dt.IsInt():
		v := make([]int64, n)
		for i := range v {
			v[i] = rng.Int64N(10)
		}
		return tensor.Convert(tensor.MustFromSlice(shape, v), dt)
	case dt == tensor.Bool:
		v := make([]bool, n)
		for i := range v {
			v[i] = rng.IntN(2) == 1
		}
		return tensor.FromSlice(shape, v)
	case dt == tensor.String:
		v := make([]string, n)
		for i := range v {
			v[i] = strconv.Itoa(rng.IntN(10))
		}
		return tensor.FromSlice(shape, v)
	}
	return nil, fmt.Errorf("cannot generate %v values", dt)
}

// describe formats one tensor on one line: name, dtype, shape, a summary
// and the first show values.
func describe(name string, t *tensor.Tensor, show int) string {
	if t == nil {
		return name + "  (not produced)"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s  %v %s", name, t.DType(), tensor.ShapeString(t.Shape()))
	n := t.Len()
	if n == 0 {
		b.WriteString("  (empty)")
		return b.String()
	}
	switch {
	case t.DType().IsNumeric():
		v, _ := tensor.Float64s(t)
		lo, hi, sum := math.Inf(1), math.Inf(-1), 0.0
		nan, inf, finite := 0, 0, 0
		for _, x := range v {
			switch {
			case math.IsNaN(x):
				nan++
				continue
			case math.IsInf(x, 0):
				inf++
			default:
				finite++
				sum += x
			}
			lo, hi = min(lo, x), max(hi, x)
		}
		if nan < n {
			fmt.Fprintf(&b, "  min %s  max %s", num(lo), num(hi))
		}
		if finite > 0 {
			fmt.Fprintf(&b, "  mean %s", num(sum/float64(finite)))
		}
		if nan > 0 {
			fmt.Fprintf(&b, "  NaN %d", nan)
		}
		if inf > 0 {
			fmt.Fprintf(&b, "  Inf %d", inf)
		}
		writeValues(&b, n, show, func(i int) string {
			if t.DType().IsFloat() {
				return num(v[i])
			}
			return strconv.FormatFloat(v[i], 'f', -1, 64)
		})
	case t.DType() == tensor.Bool:
		v := tensor.Data[bool](t)
		count := 0
		for _, x := range v {
			if x {
				count++
			}
		}
		fmt.Fprintf(&b, "  true %d of %d", count, n)
		writeValues(&b, n, show, func(i int) string { return strconv.FormatBool(v[i]) })
	case t.DType() == tensor.String:
		v := tensor.Data[string](t)
		writeValues(&b, n, show, func(i int) string { return strconv.Quote(v[i]) })
	}
	return b.String()
}

func writeValues(b *strings.Builder, n, show int, f func(int) string) {
	if show == 0 {
		return
	}
	b.WriteString("  [")
	for i := 0; i < n && i < show; i++ {
		if i > 0 {
			b.WriteString(" ")
		}
		b.WriteString(f(i))
	}
	if n > show {
		b.WriteString(" ...")
	}
	b.WriteString("]")
}

// num formats a float compactly with 4 significant digits.
func num(x float64) string { return strconv.FormatFloat(x, 'g', 4, 64) }

// safeName turns a value name into a file name: letters, digits, '.', '-'
// and '_' are kept, anything else becomes '_'; names that would be hidden
// or special get a leading '_'.
func safeName(name string) string {
	var b strings.Builder
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	s := b.String()
	if s == "" || s[0] == '.' || s[0] == '-' {
		s = "_" + s
	}
	return s
}

// writeOutputs writes each output to dir/<safe name>.npy, refusing to
// overwrite any file the run read.
func writeOutputs(dir string, outs []runtime.ValueInfo, vals map[string]*tensor.Tensor, inputFiles []string, stdout, stderr io.Writer) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	taken := map[string]bool{}
	for _, o := range outs {
		t := vals[o.Name]
		if t == nil {
			continue
		}
		base := safeName(o.Name)
		file := base + ".npy"
		for i := 2; taken[strings.ToLower(file)]; i++ {
			file = fmt.Sprintf("%s_%d.npy", base, i)
		}
		taken[strings.ToLower(file)] = true
		path := filepath.Join(dir, file)
		if isOneOf(path, inputFiles) {
			return fmt.Errorf("output %q: refusing to overwrite %s, which this run read", o.Name, path)
		}
		if dt := tensorio.NPYDType(t.DType()); dt != t.DType() {
			fmt.Fprintf(stderr, "optrun: notice: output %q is %v; written as %v (.npy has no %v)\n", o.Name, t.DType(), dt, t.DType())
		}
		if err := writeNPYFile(path, t); err != nil {
			return fmt.Errorf("output %q: %w", o.Name, err)
		}
		fmt.Fprintf(stdout, "wrote %s\n", path)
	}
	return nil
}

func writeNPYFile(path string, t *tensor.Tensor) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := tensorio.WriteNPY(f, t); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// isOneOf reports whether path names the same file as one of files.
func isOneOf(path string, files []string) bool {
	st, err := os.Stat(path)
	if err != nil {
		return false // does not exist yet: cannot be an input
	}
	for _, f := range files {
		if fst, err := os.Stat(f); err == nil && os.SameFile(st, fst) {
			return true
		}
	}
	return false
}
